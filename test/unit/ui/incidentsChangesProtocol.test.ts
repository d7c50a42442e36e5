// The Incidents panel's Applied changes tab: the list arrives as one message, and a rollback request
// names a change id only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ChangesMessage,
  HOST_MESSAGES,
  RollbackChangeMessage,
  WEBVIEW_MESSAGES,
} from '../../../src/ui/incidentsPanel/protocol';

const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

test('the changes list and the rollback request cross the wire; malformed ones are refused', () => {
  const rows = [
    {
      id: 'c-1',
      summary: 'Raise the memory limit',
      target: 'Deployment shop/api',
      status: 'applied',
      outcome: 'resolved',
      at: '2026-01-01T00:00:00Z',
      canRollback: true,
    },
  ];
  const sent = wire(ChangesMessage.create({ rows }));
  assert.ok(ChangesMessage.is(sent));
  assert.deepEqual(sent.params.rows, rows);
  assert.equal(ChangesMessage.is({ method: 'incidents/changes', params: { rows: 'c-1' } }), false);
  assert.ok(RollbackChangeMessage.is(wire(RollbackChangeMessage.create({ changeId: 'c-1' }))));
  for (const params of [{}, { changeId: '' }, { changeId: 7 }, null])
    assert.equal(RollbackChangeMessage.is({ method: 'incidents/rollback', params }), false, JSON.stringify(params));
  assert.ok(HOST_MESSAGES.some((d) => d.method === 'incidents/changes'));
  assert.ok(WEBVIEW_MESSAGES.some((d) => d.method === 'incidents/rollback'));
});
