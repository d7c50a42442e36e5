// The scaling family on the real control plane: a Deployment whose recorded demand (fed into the
// session's usage history as twenty minutes of samples, since metrics arrive every 15 s) needs more
// replicas than it runs. The predictive policy's proposal is verified (replay of that demand under
// both settings included), applied through the service, judged, and rolled back exactly.
// Runs beside other test files: its own scratch namespace only, nothing cluster-scoped.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ActService } from '../../src/agent/actService';
import { Ledger } from '../../src/agent/ledger';
import { ApiClient } from '../../src/cluster/actions/apiClient';
import { kubeConfig, scratchNamespace, waitFor, watchIncidents } from '../harness/kubeKit';
import { applyManifest } from './diagnoseKit';
import { specOf } from './actKit';

const kc = kubeConfig();

const manifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: feed
spec:
  replicas: 2
  selector:
    matchLabels:
      app: feed
  template:
    metadata:
      labels:
        app: feed
    spec:
      containers:
        - name: feed
          image: registry.example/shop/feed:1.0
          resources:
            requests:
              cpu: 100m
              memory: 32Mi
`;

test(
  'scaling: the proposal from recorded demand passes the replay, applies, resolves and rolls back exactly',
  { timeout: 300_000 },
  async (t) => {
    const ns = await scratchNamespace(kc, 'act-scale');
    await applyManifest(kc, manifest, ns.name);
    const watched = await watchIncidents([ns.name]);
    const act = new ActService({
      api: new ApiClient(kubeConfig()),
      snapshot: watched.session.snapshot,
      incidents: watched.monitor,
      usage: watched.session.usage,
      ledger: new Ledger('scale', mkdtempSync(join(tmpdir(), 'ng-ledger-'))),
    });
    try {
      const target = { kind: 'Deployment', namespace: ns.name, name: 'feed' };
      await waitFor(
        'feed to be ready',
        () => watched.session.snapshot.getWorkload('Deployment', ns.name, 'feed')?.ready === 2 || undefined,
        60_000,
      );
      // Twenty minutes of demand, 15 s apart: two pods each using ~0.18 cores of a 0.1-core request.
      const now = Date.now() / 1000;
      for (let i = 80; i >= 0; i--) {
        for (const pod of ['feed-a', 'feed-b'])
          watched.session.usage.add('Deployment', ns.name, 'feed', 'feed', {
            t: now - i * 15,
            cpu: 0.18 + 0.02 * Math.sin(i / 5),
            memory: 20 * 1048576,
            pod,
          });
      }
      const scaling = act.scalingProposalFor(target);
      assert.ok(scaling.proposal, scaling.note);
      const proposal = scaling.proposal;
      assert.equal(proposal.fixKind, 'replicas');
      assert.equal(proposal.risk, 'low');
      const edit = proposal.change.kind === 'patch' ? proposal.change.edits[0]! : undefined;
      assert.ok(edit && Number(edit.value) > 2, `more replicas proposed: ${JSON.stringify(edit)}`);
      const before = await specOf(kc, 'Deployment', ns.name, 'feed');

      const verified = await act.verify(proposal);
      const replay = verified.verdict.checks.find((c) => c.name === 'replay')!;
      assert.equal(replay.result, 'pass', replay.detail);
      assert.match(replay.evidence.join('\n'), /current: SLO violations .*\nproposed: SLO violations/);
      const [, proposedPct, currentPct] = /([\d.]+) % violations \(now ([\d.]+) %\)/
        .exec(replay.detail)!
        .map(Number) as [number, number, number];
      assert.ok(
        proposedPct < currentPct,
        `the proposal violates the SLO less often on the recorded demand: ${replay.detail}`,
      );
      assert.equal(
        verified.verdict.result,
        'pass',
        JSON.stringify(verified.verdict.checks.filter((c) => c.result !== 'pass' && c.result !== 'skipped')),
      );
      t.diagnostic(
        `scaling: ${proposal.summary}; ${replay.detail}; verify ${verified.verdict.checks.reduce((s, c) => s + c.durationMs, 0)} ms`,
      );

      const applied = await act.decide({
        proposalId: proposal.id,
        planHash: verified.verdict.planHash,
        decision: 'approve',
        waitSeconds: 90,
      });
      assert.equal(applied.status, 'applied', applied.message);
      assert.equal(applied.outcome?.result, 'resolved', applied.outcome?.detail);
      assert.equal(
        ((await specOf(kc, 'Deployment', ns.name, 'feed')) as { spec: { replicas: number } }).spec.replicas,
        Number(edit.value),
      );

      const back = await act.prepareRollback(applied.change!.id);
      assert.ok(back.ok, JSON.stringify(back));
      const again = await act.verify(back.proposal, { rollback: { changeId: applied.change!.id } });
      assert.equal(again.verdict.result, 'pass');
      const restored = await act.decide({
        proposalId: back.proposal.id,
        planHash: again.verdict.planHash,
        decision: 'approve',
        waitSeconds: 30,
      });
      assert.equal(restored.outcome?.result, 'restored', restored.message);
      assert.deepEqual(await specOf(kc, 'Deployment', ns.name, 'feed'), before);
    } finally {
      act.dispose();
      watched.dispose();
      await ns.remove();
    }
  },
);
