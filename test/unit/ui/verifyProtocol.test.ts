// The Verification panel's messages: requests carry ids only and anything else is refused; a
// restored panel starts from saved ids, checked field by field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dispatch, on } from '../../../src/ui/webview/ipc';
import {
  ApplyMessage,
  MissingMessage,
  OpenDiffMessage,
  ReadyMessage,
  RejectMessage,
  RollbackMessage,
  savedVerifyState,
  StateMessage,
  WEBVIEW_MESSAGES,
} from '../../../src/ui/verifyPanel/protocol';

const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

test('Apply and Reject are recognised only with a proposal id and a plan hash', () => {
  assert.ok(ApplyMessage.is(wire(ApplyMessage.create({ proposalId: 'p-1', planHash: 'abc' }))));
  assert.ok(RejectMessage.is(wire(RejectMessage.create({ proposalId: 'p-1', planHash: 'abc' }))));
  for (const params of [
    {},
    { proposalId: 'p-1' },
    { proposalId: 'p-1', planHash: '' },
    { proposalId: '<script>', planHash: 'abc' },
    { proposalId: 'p-1', planHash: 'a'.repeat(200) },
    null,
    'p-1',
  ]) {
    assert.equal(ApplyMessage.is({ method: 'verify/apply', params }), false, JSON.stringify(params));
  }
  assert.equal(
    ApplyMessage.is(wire(RejectMessage.create({ proposalId: 'p-1', planHash: 'abc' }))),
    false,
    'methods do not mix',
  );
});

test('the other requests are checked too; an unknown message reaches no handler', () => {
  assert.ok(OpenDiffMessage.is({ method: 'verify/openDiff', params: { proposalId: 'p-1' } }));
  assert.equal(OpenDiffMessage.is({ method: 'verify/openDiff', params: { proposalId: 3 } }), false);
  assert.ok(RollbackMessage.is({ method: 'verify/rollback', params: { changeId: 'c-42' } }));
  assert.equal(RollbackMessage.is({ method: 'verify/rollback', params: { changeId: '../../etc' } }), false);
  const seen: string[] = [];
  const handlers = WEBVIEW_MESSAGES.map((d) => on(d as typeof ReadyMessage, () => seen.push(d.method)));
  assert.equal(dispatch({ method: 'verify/write', params: { patch: {} } }, handlers), false);
  assert.equal(dispatch(wire(ReadyMessage.create()), handlers), true);
  assert.deepEqual(seen, ['verify/ready']);
});

test('host messages: a state needs its proposal, phase, checks and diff; missing carries a message', () => {
  assert.equal(
    StateMessage.is({ method: 'verify/state', params: { proposal: { id: 'p-1' }, phase: 'verified' } }),
    false,
  );
  assert.ok(
    StateMessage.is({
      method: 'verify/state',
      params: { proposal: { id: 'p-1' }, phase: 'verified', checks: [], diff: [], updatedAt: 1 },
    }),
  );
  assert.ok(MissingMessage.is(wire(MissingMessage.create({ message: 'gone' }))));
});

test('a restored panel starts from ids only, each checked', () => {
  assert.deepEqual(savedVerifyState({ proposalId: 'p-1', changeId: 'c-42', verdict: { result: 'pass' } }), {
    proposalId: 'p-1',
    changeId: 'c-42',
  });
  assert.deepEqual(savedVerifyState({ proposalId: 'rb-42', rollbackOf: 'c-42' }), {
    proposalId: 'rb-42',
    rollbackOf: 'c-42',
  });
  assert.deepEqual(savedVerifyState({ proposalId: 'p-1', changeId: '<img src=x>' }), { proposalId: 'p-1' });
  for (const bad of [undefined, null, 'p-1', {}, { proposalId: '' }, { proposalId: 'a b' }])
    assert.equal(savedVerifyState(bad), undefined, JSON.stringify(bad));
});
