// The act loop's durable parts: an approval waiting in a thread survives a restart of the service
// (a window reload) and is applied from there; an intent a crash left without a result is settled
// against the live object at the next start; Ctrl-C during a shadow check removes the shadow and
// exits 130.
// Runs beside other test files: its own scratch namespaces only, nothing cluster-scoped.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { ActService } from '../../src/agent/actService';
import { FileCheckpointer } from '../../src/agent/fileCheckpointer';
import { Ledger } from '../../src/agent/ledger';
import { ApiClient } from '../../src/cluster/actions/apiClient';
import { LEDGER_VERSION, type IntentEntry } from '../../src/core/model/proposal';
import { kubeConfig, scratchNamespace, waitFor, waitForIncident, watchIncidents } from '../harness/kubeKit';
import { applyManifest } from './diagnoseKit';
import { oomManifest, privateHome, startCli } from './actKit';

const kc = kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);

test(
  'a pending approval survives a restart of the service and is applied after it; a crashed intent is reconciled at start',
  { timeout: 300_000 },
  async () => {
    const ns = await scratchNamespace(kc, 'act-threads');
    await applyManifest(kc, oomManifest, ns.name);
    const watched = await watchIncidents([ns.name]);
    const dir = mkdtempSync(join(tmpdir(), 'ng-threads-'));
    const ledgerDir = mkdtempSync(join(tmpdir(), 'ng-ledger-'));
    const make = () =>
      new ActService({
        api: new ApiClient(kubeConfig()),
        snapshot: watched.session.snapshot,
        incidents: watched.monitor,
        checkpointer: new FileCheckpointer(join(dir, 'checkpoints')),
        ledger: new Ledger('threads', ledgerDir),
      });
    try {
      await waitForIncident(watched.monitor, 'OOMKilled', 'Deployment', 'api', ns.name, 120_000);
      const first = make();
      const proposal = first.proposalsFor({ kind: 'Deployment', namespace: ns.name, name: 'api' }).proposals[0]!;
      const verified = await first.verify(proposal);
      assert.equal(verified.verdict.result, 'pass');
      assert.equal(verified.awaitingApproval, true);
      first.dispose();

      // "Reload": a new service over the same checkpoint directory still shows the approval.
      const second = make();
      const pending = await second.pending();
      assert.equal(pending.length, 1);
      assert.equal(pending[0]!.state, 'awaiting-approval');
      assert.equal(pending[0]!.proposal.id, proposal.id);
      assert.equal(pending[0]!.verdict?.planHash, verified.verdict.planHash);
      const wrong = await second.decide({ proposalId: proposal.id, planHash: 'not-the-plan', decision: 'approve' });
      assert.equal(wrong.status, 'invalid', 'a confirmation for another plan is refused');
      assert.equal((await second.pending()).length, 1, 'and the approval still waits');
      const done = await second.decide({
        proposalId: proposal.id,
        planHash: verified.verdict.planHash,
        decision: 'approve',
      });
      assert.equal(done.status, 'applied', done.message);
      assert.deepEqual(await second.pending(), [], 'nothing is pending after the decision');

      // A crash between the intent and the write's answer: the next start settles it.
      const target = done.change!.plan.target;
      second.ledger.append({
        ...(structuredClone(second.ledger.entries().entries.find((e) => e.type === 'intent')!) as IntentEntry),
        changeId: 'c-crashed',
        at: new Date().toISOString(),
      });
      second.dispose();
      const third = make();
      const notes = await third.start();
      assert.deepEqual(notes, [`change c-crashed: never reached ${target.kind}/${target.name}`]);
      const crashed = third.history().find((c) => c.id === 'c-crashed')!;
      assert.equal(crashed.status, 'failed');
      assert.equal(third.history().find((c) => c.id === done.change!.id)!.status, 'applied');
      third.dispose();
      assert.equal(LEDGER_VERSION, 1);
    } finally {
      watched.dispose();
      await ns.remove();
    }
  },
);

test('Ctrl-C during a shadow check removes the shadow first and exits 130', { timeout: 300_000 }, async () => {
  const ns = await scratchNamespace(kc, 'act-sigint');
  await applyManifest(kc, oomManifest, ns.name);
  const watched = await watchIncidents([ns.name]);
  const shadows = async () =>
    (await core.listNamespacedPod({ namespace: ns.name, labelSelector: 'nimbusguard.dev/shadow=true' })).items;
  try {
    await waitForIncident(watched.monitor, 'OOMKilled', 'Deployment', 'api', ns.name, 120_000);
    const child = startCli(
      ['fix', 'deployment/api', '-n', ns.name, '--context', 'nimbusguard-admin', '--shadow', '--json'],
      privateHome(),
    );
    let stdout = '';
    child.stdout!.on('data', (d) => (stdout += String(d)));
    await waitFor('the shadow pod', async () => ((await shadows()).length > 0 ? true : undefined), 120_000, 200);
    const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
    child.kill('SIGINT');
    assert.equal(await exited, 130);
    assert.equal((await shadows()).length, 0, 'the shadow was removed before the process ended');
    assert.equal(JSON.parse(stdout)['exitCode'], 130);
  } finally {
    watched.dispose();
    await ns.remove();
  }
});
