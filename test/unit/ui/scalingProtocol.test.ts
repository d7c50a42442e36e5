import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dispatch, message, on } from '../../../src/ui/webview/ipc';
import {
  CloseMessage,
  HOST_MESSAGES,
  ReadyMessage,
  savedScalingRef,
  RefreshMessage,
  StateMessage,
  WEBVIEW_MESSAGES,
  type ScalingPanelState,
} from '../../../src/ui/scalingPanel/protocol';

const state: ScalingPanelState = {
  workload: { kind: 'Deployment', namespace: 'shop', name: 'web' },
  context: 'kind-dev',
  demand: { label: 'CPU cores', unit: 'cores' },
  chart: { datasets: [] },
  tickSeconds: 15,
  observations: 0,
  notes: ['No metrics yet: waiting for the first reading from metrics.k8s.io.'],
  updatedAt: 1,
};

/** What postMessage does to a message: structured clone, here as JSON. */
const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

test('descriptors create messages that survive the wire and are recognised by method', () => {
  const sent = wire(StateMessage.create(state));
  assert.ok(StateMessage.is(sent));
  assert.deepEqual(sent.params, state);
  assert.equal(ReadyMessage.is(sent), false);
  const ready = wire(ReadyMessage.create());
  assert.ok(ReadyMessage.is(ready));
  assert.equal(RefreshMessage.is(ready), false);
  assert.ok(RefreshMessage.is(wire(RefreshMessage.create())));
});

test('malformed or foreign messages are rejected', () => {
  for (const value of [
    undefined,
    null,
    'scaling/state',
    42,
    {},
    { method: 'scaling/state' },
    { method: 'scaling/state', params: { workload: {} } },
    { command: 'scaling/ready' },
  ]) {
    assert.equal(StateMessage.is(value), false, JSON.stringify(value));
  }
  assert.equal(ReadyMessage.is({ method: 'scaling/ready', params: { evil: true } }), false);
  assert.equal(RefreshMessage.is({ method: 'scaling/refresh', params: 'now' }), false);
});

test('every method is unique, so each side dispatches on descriptors unambiguously', () => {
  const methods = [...HOST_MESSAGES, ...WEBVIEW_MESSAGES].map((d) => d.method);
  assert.equal(new Set(methods).size, methods.length);
  assert.ok(methods.every((m) => m.startsWith('scaling/')));
});

test('dispatch runs the first matching handler only and reports unhandled values', () => {
  const seen: string[] = [];
  const handlers = [
    on(ReadyMessage, () => seen.push('ready')),
    on(RefreshMessage, () => seen.push('refresh')),
    on(StateMessage, (s) => seen.push(`state ${s.workload.name}`)),
  ];
  assert.equal(dispatch(wire(RefreshMessage.create()), handlers), true);
  assert.equal(dispatch(wire(StateMessage.create(state)), handlers), true);
  assert.equal(dispatch({ method: 'scaling/unknown' }, handlers), false);
  assert.equal(dispatch('ready', handlers), false);
  assert.deepEqual(seen, ['refresh', 'state web']);
});

test('a custom descriptor carries typed parameters and its own check', () => {
  const Select = message<'demo/select', { index: number }>(
    'demo/select',
    (p) => typeof (p as { index?: unknown })?.index === 'number',
  );
  assert.deepEqual(Select.create({ index: 2 }), { method: 'demo/select', params: { index: 2 } });
  assert.ok(Select.is({ method: 'demo/select', params: { index: 0 } }));
  assert.equal(Select.is({ method: 'demo/select', params: { index: '0' } }), false);
});

test('the page: nonce CSP without inline script or style, escaped names, one script with the nonce', async () => {
  const { scalingPanelHtml } = await import('../../../src/ui/scalingPanel/scalingPanelHtml');
  const { makeNonce, panelCsp } = await import('../../../src/ui/webview/webviewHtml');
  const nonce = makeNonce();
  assert.match(nonce, /^[A-Za-z0-9]{16,}$/);
  assert.notEqual(nonce, makeNonce());
  const csp = panelCsp('https://x.vscode-cdn.net', nonce);
  assert.equal(
    csp,
    `default-src 'none'; img-src https://x.vscode-cdn.net data:; style-src https://x.vscode-cdn.net; script-src 'nonce-${nonce}'`,
  );
  assert.doesNotMatch(csp, /unsafe/);
  const page = scalingPanelHtml({
    cspSource: 'https://x.vscode-cdn.net',
    scriptUri: 'https://x/scaling.js',
    styleUris: ['https://x/panel.css', 'https://x/scaling.css'],
    nonce,
    ref: { kind: 'Deployment', namespace: 'shop', name: '<img src=x>' },
  });
  assert.ok(page.includes('&#60;img src=x&#62;'));
  assert.ok(!page.includes('<img'));
  assert.equal(page.match(/<script/g)?.length, 1);
  assert.ok(page.includes(`<script nonce="${nonce}" src="https://x/scaling.js">`));
  assert.doesNotMatch(page, /<style|style="/);
  assert.match(page, /<canvas id="chart" role="img" aria-label="[^"]+" aria-describedby="chart-summary">/);
  assert.ok(page.indexOf('panel.css') < page.indexOf('scaling.css'), 'the shared stylesheet comes first');
});

test('a restored panel starts from the saved workload id only, checked field by field', () => {
  const ref = { kind: 'StatefulSet', namespace: 'shop', name: 'cache' };
  assert.deepEqual(savedScalingRef(wire({ workload: ref })), ref);
  assert.deepEqual(savedScalingRef({ workload: { ...ref, extra: '<b>' } }), ref, 'only the id fields are kept');
  for (const bad of [
    undefined,
    null,
    'x',
    {},
    { workload: { ...ref, kind: 'Pod' } },
    { workload: { ...ref, name: '' } },
    { workload: { ...ref, namespace: 7 } },
    { workload: { ...ref, name: 'x'.repeat(300) } },
  ]) {
    assert.equal(savedScalingRef(bad), undefined, JSON.stringify(bad));
  }
  assert.ok(CloseMessage.is(wire(CloseMessage.create())));
  assert.equal(CloseMessage.is({ method: 'scaling/close', params: { all: true } }), false);
});
