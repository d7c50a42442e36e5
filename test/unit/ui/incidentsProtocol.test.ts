import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dispatch, on } from '../../../src/ui/webview/ipc';
import {
  ActionMessage,
  CloseMessage,
  DetailMessage,
  FocusMessage,
  HOST_MESSAGES,
  isIncidentId,
  ReadyMessage,
  savedIncidentsState,
  SelectMessage,
  StateMessage,
  VerifyMessage,
  WEBVIEW_MESSAGES,
  type IncidentsPanelState,
} from '../../../src/ui/incidentsPanel/protocol';
import { incidentId } from '../../../src/core/model/incident';

const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
const id = incidentId({
  type: 'OOMKilled',
  workload: { kind: 'Deployment', namespace: 'shop', name: 'checkout' },
  key: 'api',
});

const state: IncidentsPanelState = {
  context: 'kind-dev',
  notes: [],
  rows: [],
  retentionMinutes: 60,
  loading: false,
  updatedAt: 1,
};

test("incident ids: the tracker's ids pass, anything else (markup, paths, other shapes) does not", () => {
  assert.ok(isIncidentId(id), id);
  assert.ok(
    isIncidentId(
      incidentId({ type: 'CronJobSuspendedOrInvalid', workload: { kind: 'CronJob', namespace: 'b', name: 'n' } }),
    ),
  );
  for (const bad of [
    undefined,
    42,
    '',
    'oomkilled',
    'oomkilled-123',
    `${id}x`,
    `<img>-0123456789abcdef`,
    '../../etc-0123456789abcdef',
    { id },
  ]) {
    assert.equal(isIncidentId(bad), false, JSON.stringify(bad));
  }
});

test('webview requests are checked before the host sees them', () => {
  assert.ok(SelectMessage.is(wire(SelectMessage.create({ id }))));
  assert.equal(SelectMessage.is({ method: 'incidents/select', params: { id: 'drop table' } }), false);
  assert.ok(ActionMessage.is(wire(ActionMessage.create({ id, action: 'openYaml' }))));
  for (const action of ['delete', 'applyFix', '', undefined]) {
    assert.equal(ActionMessage.is({ method: 'incidents/action', params: { id, action } }), false, String(action));
  }
  assert.ok(VerifyMessage.is(wire(VerifyMessage.create({ id, proposalId: 'p-1', planHash: 'sha256:abc' }))));
  assert.equal(
    VerifyMessage.is({ method: 'incidents/verify', params: { id, proposalId: 'p-1' } }),
    false,
    'a verify request names the plan hash',
  );
  assert.equal(
    VerifyMessage.is({ method: 'incidents/verify', params: { id, proposalId: 'p'.repeat(201), planHash: 'h' } }),
    false,
  );
  assert.ok(ReadyMessage.is(wire(ReadyMessage.create())));
  assert.equal(ReadyMessage.is({ method: 'incidents/ready', params: { all: true } }), false);
  assert.ok(CloseMessage.is(wire(CloseMessage.create())));
});

test('host messages survive the wire and are recognised; malformed ones are not', () => {
  assert.ok(StateMessage.is(wire(StateMessage.create(state))));
  assert.equal(StateMessage.is({ method: 'incidents/state', params: { rows: 'all' } }), false);
  assert.ok(DetailMessage.is(wire(DetailMessage.create({ id, missing: 'gone' }))));
  assert.equal(
    DetailMessage.is({ method: 'incidents/detail', params: { id } }),
    false,
    'a detail is either there or says why not',
  );
  assert.ok(FocusMessage.is(wire(FocusMessage.create({ id }))));
  const methods = [...HOST_MESSAGES, ...WEBVIEW_MESSAGES].map((d) => d.method);
  assert.equal(new Set(methods).size, methods.length);
  assert.ok(methods.every((m) => m.startsWith('incidents/')));
  const seen: string[] = [];
  assert.equal(
    dispatch(wire(SelectMessage.create({ id })), [
      on(ReadyMessage, () => seen.push('ready')),
      on(SelectMessage, (p) => seen.push(p.id)),
    ]),
    true,
  );
  assert.deepEqual(seen, [id]);
});

test("saved state keeps ids and the user's view only, field by field", () => {
  const saved = {
    selected: id,
    filters: { text: 'oom', namespace: 'shop', severity: 'critical', type: 'OOMKilled' },
    sort: { column: 'age', descending: false },
    collapsed: ['group-1'],
    rows: [{ huge: true }],
  };
  assert.deepEqual(savedIncidentsState(wire(saved)), {
    selected: id,
    filters: saved.filters,
    sort: saved.sort,
    collapsed: ['group-1'],
  });
  assert.deepEqual(savedIncidentsState(undefined), {});
  assert.deepEqual(
    savedIncidentsState({
      selected: '<script>',
      filters: { text: 1 },
      sort: { column: 'evil', descending: true },
      collapsed: 'x',
    }),
    {},
  );
  assert.deepEqual(
    savedIncidentsState({ filters: { text: '', namespace: '', severity: 'fatal', type: '' } }),
    {},
    'an unknown severity drops the filters',
  );
});

test('the page: nonce CSP, one script, no inline style, a label on every control, the table as a treegrid', async () => {
  const { incidentsPanelHtml } = await import('../../../src/ui/incidentsPanel/incidentsPanelHtml');
  const nonce = 'n0nce';
  const page = incidentsPanelHtml({
    cspSource: 'https://x.vscode-cdn.net',
    scriptUri: 'https://x/incidents.js',
    styleUris: ['https://x/panel.css', 'https://x/incidents.css'],
    nonce,
  });
  assert.match(
    page,
    /content="default-src &#39;none&#39;; img-src https:\/\/x.vscode-cdn.net data:; style-src https:\/\/x.vscode-cdn.net; script-src &#39;nonce-n0nce&#39;"/,
  );
  assert.equal(page.match(/<script/g)?.length, 1);
  assert.ok(page.includes(`<script nonce="${nonce}" src="https://x/incidents.js">`));
  assert.doesNotMatch(page, /<style|style="|onclick=|javascript:/);
  for (const control of page.match(/<(input|select)\b[^>]*>/g) ?? [])
    assert.match(control, /aria-label="[^"]+"/, control);
  assert.match(page, /role="treegrid"[^>]*aria-label="[^"]+"[^>]*tabindex="0"/);
  assert.equal(page.match(/role="columnheader"/g)?.length, 6);
  assert.ok(page.indexOf('panel.css') < page.indexOf('incidents.css'));
});
