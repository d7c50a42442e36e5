// The scaling family on the real control plane: a Deployment whose recorded demand (fed into the
// session's usage history as twenty minutes of samples, since metrics arrive every 15 s) needs more
// replicas than it runs. The predictive policy's proposal is verified (replay of that demand under
// both settings included), applied through the service, judged, and rolled back exactly. Under the
// Q-learning policy the judged outcome updates the persisted table; a scale-down is weighed against
// the demand it must still carry.
// Runs beside other test files: its own scratch namespaces only, nothing cluster-scoped.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { ActService } from '../../src/agent/actService';
import { Ledger } from '../../src/agent/ledger';
import { QTableStore } from '../../src/agent/qTableStore';
import { demandHistory } from '../../src/agent/scalingProposals';
import { proposalFromScaling } from '../../src/core/change/scalingPlan';
import { QLearningAgent } from '../../src/core/learning/qLearningAgent';
import { Q_ACTIONS, qState } from '../../src/core/scaling/qlearningPolicy';
import type { Observation } from '../../src/core/scaling/policy';
import type { UsageHistory } from '../../src/core/model/usageHistory';
import { ApiClient } from '../../src/cluster/actions/apiClient';
import { kubeConfig, scratchNamespace, waitFor, watchIncidents } from '../harness/kubeKit';
import { applyManifest } from './diagnoseKit';
import { describeRun, runCli, specOf } from './actKit';

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

/** Twenty minutes of demand for `pods` pods of `name`, each using `cores` (15 s apart, ending now). */
function recordDemand(usage: UsageHistory, ns: string, name: string, pods: number, cores: number): void {
  const now = Date.now() / 1000;
  for (let i = 80; i >= 0; i--)
    for (let p = 0; p < pods; p++)
      usage.add('Deployment', ns, name, name, {
        t: now - i * 15,
        cpu: cores,
        memory: 20 * 1048576,
        pod: `${name}-${p}`,
      });
}

/** A table that has learned `action` is best in the state the recorded demand puts `name` in. */
function taughtTable(store: QTableStore, history: Observation[], pods: number, action: string): string {
  const agent = new QLearningAgent(Q_ACTIONS, { epsilon: 0.01 });
  agent.episodes = 500;
  const state = qState(history, pods);
  agent.table.row(state)[Q_ACTIONS.indexOf(action as (typeof Q_ACTIONS)[number])] = 0.5;
  mkdirSync(dirname(store.file), { recursive: true });
  writeFileSync(store.file, JSON.stringify(agent.toJSON()));
  return state;
}

test(
  'scaling under the Q-learning policy: the judged outcome of the applied change updates the table the policy reads next',
  { timeout: 300_000 },
  async (t) => {
    const ns = await scratchNamespace(kc, 'act-qlearn');
    await applyManifest(kc, manifest, ns.name);
    const watched = await watchIncidents([ns.name]);
    const home = mkdtempSync(join(tmpdir(), 'ng-qhome-'));
    const api = new ApiClient(kubeConfig());
    const qTable = QTableStore.forCluster(api.server, api.caHash, { NIMBUSGUARD_HOME: home });
    const act = new ActService({
      api,
      snapshot: watched.session.snapshot,
      incidents: watched.monitor,
      usage: watched.session.usage,
      ledger: Ledger.forCluster(api.server, api.caHash, { NIMBUSGUARD_HOME: home }),
      qTable,
      scalingPolicy: () => 'qlearning',
    });
    try {
      const target = { kind: 'Deployment', namespace: ns.name, name: 'feed' };
      await waitFor(
        'feed to be ready',
        () => watched.session.snapshot.getWorkload('Deployment', ns.name, 'feed')?.ready === 2 || undefined,
        60_000,
      );
      // Two pods at 0.18 cores of a 0.1-core request: hot. The table says "up" there.
      recordDemand(watched.session.usage, ns.name, 'feed', 2, 0.18);
      const w = watched.session.snapshot.getWorkload('Deployment', ns.name, 'feed')!;
      const { history } = demandHistory(watched.session.snapshot, watched.session.usage, target);
      const state = taughtTable(qTable, history, 2, 'up');
      assert.equal(w.desired, 2);

      const scaling = act.scalingProposalFor(target);
      assert.ok(scaling.proposal, scaling.note);
      const proposal = scaling.proposal;
      assert.deepEqual(proposal.learning, { policy: 'qlearning', state, action: 'up', fromReplicas: 2, toReplicas: 3 });
      assert.match(scaling.note, /Q-learning policy .*"up".*2 → 3 replicas/);
      const verified = await act.verify(proposal);
      assert.equal(
        verified.verdict.result,
        'pass',
        JSON.stringify(verified.verdict.checks.filter((c) => c.result !== 'pass' && c.result !== 'skipped')),
      );
      const applied = await act.decide({
        proposalId: proposal.id,
        planHash: verified.verdict.planHash,
        decision: 'approve',
        waitSeconds: 90,
      });
      assert.equal(applied.status, 'applied', applied.message);
      assert.equal(applied.outcome?.result, 'resolved', applied.outcome?.detail);
      const learned = applied.outcome?.learned;
      assert.ok(learned, `the outcome records the Q-table update: ${JSON.stringify(applied.outcome)}`);
      assert.equal(learned.state, state);
      assert.equal(learned.action, 'up');
      assert.equal(learned.before, 0.5);
      assert.notEqual(learned.after, learned.before);
      t.diagnostic(
        `Q(${state}, up): ${learned.before} → ${learned.after}, reward ${learned.reward} (observed: ${learned.observed})`,
      );

      // The file the policy reads holds the update, and the ledger keeps it with the outcome.
      const saved = JSON.parse(readFileSync(qTable.file, 'utf8')) as { states: Record<string, number[]> };
      assert.equal(saved.states[state]![Q_ACTIONS.indexOf('up')], learned.after);
      assert.deepEqual(act.ledger.get(applied.change!.id)?.outcome?.learned, learned);
      assert.equal(act.rates().rateOf('scaling', 'replicas')?.samples, 1);
      assert.equal(qTable.load().table.row(state)[Q_ACTIONS.indexOf('up')], learned.after);

      // `nimbusguard history` shows the update, the scaling rate and the table.
      const listed = await runCli(['history', '--context', 'nimbusguard-admin', '--json'], home);
      assert.equal(listed.code, 0, describeRun(listed));
      const doc = listed.json!;
      const change = (doc['changes'] as { id: string; outcome?: { learned?: unknown } }[]).find(
        (c) => c.id === applied.change!.id,
      );
      assert.deepEqual(change?.outcome?.learned, learned);
      assert.deepEqual(
        (doc['successRates'] as { category: string; fixKind: string; samples: number }[]).map((r) => [
          r.category,
          r.fixKind,
          r.samples,
        ]),
        [['scaling', 'replicas', 1]],
      );
      assert.deepEqual(doc['qTable'], { file: qTable.file, states: 1, episodes: 500, learned: 1 });
      const text = await runCli(['history', '--context', 'nimbusguard-admin'], home);
      assert.match(text.stdout, new RegExp(`${applied.change!.id} .*→ resolved \\[Q\\(${state}, up\\) 0\\.500 → `));
      assert.match(text.stdout, /Q-learning table .*: 1 states, 500 training episodes, 1 update\(s\) from outcomes/);
    } finally {
      act.dispose();
      watched.dispose();
      await ns.remove();
    }
  },
);

const hpaManifest = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: feed
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: feed
  minReplicas: 1
  maxReplicas: 6
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 70
`;

test(
  'scale-down: the capacity left is weighed against current demand; too little fails the verdict, unknown demand is inconclusive',
  { timeout: 300_000 },
  async () => {
    const ns = await scratchNamespace(kc, 'act-scaledown');
    await applyManifest(kc, manifest.replace('replicas: 2', 'replicas: 4'), ns.name);
    const watched = await watchIncidents([ns.name]);
    const home = mkdtempSync(join(tmpdir(), 'ng-qhome-'));
    const api = new ApiClient(kubeConfig());
    const qTable = QTableStore.forCluster(api.server, api.caHash, { NIMBUSGUARD_HOME: home });
    const act = new ActService({
      api,
      snapshot: watched.session.snapshot,
      incidents: watched.monitor,
      usage: watched.session.usage,
      ledger: new Ledger('scaledown', join(home, 'ledger')),
      qTable,
      scalingPolicy: () => 'qlearning',
    });
    try {
      const target = { kind: 'Deployment', namespace: ns.name, name: 'feed' };
      await waitFor(
        'feed to be ready',
        () => watched.session.snapshot.getWorkload('Deployment', ns.name, 'feed')?.ready === 4 || undefined,
        60_000,
      );
      const before = await specOf(kc, 'Deployment', ns.name, 'feed');
      // Four pods at 0.07 cores each (0.28 cores): two replicas (0.2 cores) cannot carry it.
      recordDemand(watched.session.usage, ns.name, 'feed', 4, 0.07);
      const { history } = demandHistory(watched.session.snapshot, watched.session.usage, target);
      taughtTable(qTable, history, 4, 'down-big');
      const scaling = act.scalingProposalFor(target);
      assert.ok(scaling.proposal, scaling.note);
      assert.equal(scaling.proposal.risk, 'high', 'a scale-down loses capacity');
      const verified = await act.verify(scaling.proposal);
      const disruption = verified.verdict.checks.find((c) => c.name === 'disruption')!;
      assert.equal(disruption.result, 'fail', disruption.detail);
      assert.match(disruption.detail, /replicas 4 → 2 .*would run at 1\d\d % of the capacity left.*needs 4 replicas/);
      assert.ok(
        disruption.evidence.some((e) => /capacity left: 0\.200 cores/.test(e)),
        disruption.evidence.join('\n'),
      );
      assert.equal(verified.verdict.result, 'fail');
      assert.equal(verified.awaitingApproval, false, 'a failed verdict offers no approval');

      // The same scale-down with no demand known: inconclusive, never a pass.
      const blind = new ActService({
        api,
        snapshot: watched.session.snapshot,
        incidents: watched.monitor,
        ledger: new Ledger('scaledown-blind', join(home, 'ledger')),
        qTable,
      });
      try {
        const again = await blind.verify(scaling.proposal);
        const check = again.verdict.checks.find((c) => c.name === 'disruption')!;
        assert.equal(check.result, 'inconclusive', check.detail);
        assert.match(check.detail, /no recent demand/);
        assert.notEqual(again.verdict.result, 'pass');
      } finally {
        blind.dispose();
      }
      assert.deepEqual(await specOf(kc, 'Deployment', ns.name, 'feed'), before, 'nothing was written');

      // An autoscaler's ceiling lowered below what the demand needs fails the same way.
      await applyManifest(kc, hpaManifest, ns.name);
      const hpa = await waitFor(
        'the autoscaler in the snapshot',
        () => watched.session.snapshot.get('HorizontalPodAutoscaler', ns.name, 'feed'),
        60_000,
      );
      const lowered = proposalFromScaling(
        {
          kind: 'Deployment',
          namespace: ns.name,
          name: 'feed',
          uid: watched.session.snapshot.getWorkload('Deployment', ns.name, 'feed')!.uid,
        },
        {
          replicas: 2,
          currentReplicas: 4,
          hpa: { minReplicas: 1, maxReplicas: 2 },
          confidence: 0.5,
        },
        {
          kind: 'HorizontalPodAutoscaler',
          namespace: ns.name,
          name: 'feed',
          uid: hpa.meta.uid,
          minReplicas: 1,
          maxReplicas: 6,
        },
      )!;
      assert.equal(lowered.target.kind, 'HorizontalPodAutoscaler');
      const hpaBefore = await specOf(kc, 'HorizontalPodAutoscaler', ns.name, 'feed');
      const capped = await act.verify(lowered);
      const hpaCheck = capped.verdict.checks.find((c) => c.name === 'disruption')!;
      assert.equal(hpaCheck.result, 'fail', hpaCheck.detail);
      assert.match(hpaCheck.detail, /autoscaler's maximum 6 → 2 .*needs 4 replicas/);
      assert.equal(capped.verdict.result, 'fail');
      assert.deepEqual(await specOf(kc, 'HorizontalPodAutoscaler', ns.name, 'feed'), hpaBefore, 'nothing was written');
    } finally {
      act.dispose();
      watched.dispose();
      await ns.remove();
    }
  },
);
