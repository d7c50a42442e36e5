// Learning from outcomes: the Q-learning policy's scaling proposal records its (state, action), the
// judged outcome updates that value in the cluster's persisted table, and the success rates per
// (cause × fix kind) come from the judged outcomes only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QLearningAgent } from '../../../src/core/learning/qLearningAgent';
import { scalingOutcomeReward, qReward } from '../../../src/core/learning/reward';
import { successRates } from '../../../src/core/learning/outcomeStats';
import { qLearnFromOutcome, qScalingProposal } from '../../../src/core/change/qScaling';
import { Q_ACTIONS, qState } from '../../../src/core/scaling/qlearningPolicy';
import type { Observation } from '../../../src/core/scaling/policy';
import type { ChangeRecord, OutcomeResult } from '../../../src/core/model/proposal';
import { QTableStore } from '../../../src/agent/qTableStore';

/** Twenty minutes of demand at `rho` utilization of `ready` replicas, 15 s apart, ending at t = 1200. */
function demand(rho: number, ready: number, ticks = 80): Observation[] {
  return Array.from({ length: ticks }, (_, i) => ({ t: 15 * (i + 1), rps: rho * ready * 0.1, ready, rho }));
}

/** An agent that has learned "up-big" is best when hot and "down" when cold. */
function taughtAgent(): QLearningAgent {
  const agent = new QLearningAgent(Q_ACTIONS, { epsilon: 0.01 });
  agent.episodes = 900;
  agent.table.row(qState(demand(1.5, 2), 2))[Q_ACTIONS.indexOf('up-big')] = 1;
  agent.table.row(qState(demand(0.2, 4), 4))[Q_ACTIONS.indexOf('down')] = 0.5;
  return agent;
}

test('Q-learning proposal: the greedy action of the state the demand puts the workload in, recorded for its reward', () => {
  const hot = qScalingProposal(taughtAgent(), { history: demand(1.5, 2), pods: 2 });
  assert.equal(hot.step.action, 'up-big');
  assert.equal(hot.step.state, qState(demand(1.5, 2), 2));
  assert.deepEqual([hot.step.fromReplicas, hot.step.toReplicas], [2, 4]);
  assert.equal(hot.proposal.replicas, 4);
  assert.match(hot.proposal.reason, /Best known action "up-big".*2 → 4 replicas/);

  const cold = qScalingProposal(taughtAgent(), { history: demand(0.2, 4), pods: 4 });
  assert.equal(cold.step.action, 'down');
  assert.equal(cold.proposal.replicas, 3);

  // A state the table never saw holds (no exploration on a live cluster).
  const unseen = qScalingProposal(new QLearningAgent(Q_ACTIONS), { history: demand(1.5, 2), pods: 2 });
  assert.equal(unseen.step.action, 'hold');
  assert.equal(unseen.proposal.replicas, 2);
  assert.match(unseen.proposal.reason, /never seen/);

  // With an HPA the ceiling rises to the replicas the policy wants; the floor stays.
  const hpa = qScalingProposal(taughtAgent(), {
    history: demand(1.5, 2),
    pods: 2,
    hpa: { minReplicas: 1, maxReplicas: 3 },
  });
  assert.deepEqual(hpa.proposal.hpa, { minReplicas: 1, maxReplicas: 4 });
});

test('outcome reward: the tick reward of the demand after the change, regressions cost the SLO weight, inconclusive teaches nothing', () => {
  assert.equal(scalingOutcomeReward('inconclusive', { rho: 0.5 }, false), undefined);
  assert.equal(scalingOutcomeReward('restored', { rho: 0.5 }, false), undefined);
  assert.equal(scalingOutcomeReward('resolved', { rho: 0.6 }, false), qReward({ rho: 0.6 }, false));
  assert.equal(scalingOutcomeReward('regressed', { rho: 0.6 }, false), qReward({ rho: 0.6 }, false) - 2);
  assert.ok(
    scalingOutcomeReward('resolved', { rho: 1.4 }, false)! < scalingOutcomeReward('resolved', { rho: 0.8 }, false)!,
  );
  assert.equal(scalingOutcomeReward('resolved', undefined, true), 0);
});

test('a judged scaling outcome moves Q(state, action) by one temporal-difference step', () => {
  const agent = taughtAgent();
  const { step } = qScalingProposal(agent, { history: demand(1.5, 2), pods: 2 });
  const before = agent.table.row(step.state)[Q_ACTIONS.indexOf('up-big')]!;
  // Demand seen after the change (t >= 1200) at 4 replicas: utilization 0.75.
  const history = [...demand(1.5, 2), { t: 1215, rps: 0.3, ready: 4, rho: 0.75 }];
  const update = qLearnFromOutcome(agent, step, 'resolved', history, 1210)!;
  assert.equal(update.observed, true);
  assert.equal(update.before, before);
  const reward = qReward({ rho: 0.75 }, false);
  assert.equal(update.reward, reward);
  assert.equal(update.next, qState(history, 4));
  const expected = before + 0.1 * (reward + 0.95 * agent.table.maxValue(update.next) - before);
  assert.ok(Math.abs(update.after - expected) < 1e-12, `${update.after} vs ${expected}`);
  assert.equal(agent.table.row(step.state)[Q_ACTIONS.indexOf('up-big')], update.after);

  // Without demand after the change the newest demand is spread over the new replicas (1.5 × 2 / 4).
  const estimated = qLearnFromOutcome(taughtAgent(), step, 'resolved', demand(1.5, 2), 1210)!;
  assert.equal(estimated.observed, false);
  assert.equal(estimated.reward, qReward({ rho: 0.75 }, false));

  // A regression lowers the value; an inconclusive outcome leaves the table alone.
  const regressed = qLearnFromOutcome(taughtAgent(), step, 'regressed', history, 1210)!;
  assert.ok(regressed.after < update.after);
  const untouched = taughtAgent();
  assert.equal(qLearnFromOutcome(untouched, step, 'inconclusive', history, 1210), undefined);
  assert.equal(untouched.table.row(step.state)[Q_ACTIONS.indexOf('up-big')], 1);
});

test('the Q-table store: updates land in the file the policy reads next; a damaged file is named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ng-qtable-'));
  const file = join(dir, 'qtable', 'cluster.json');
  const store = new QTableStore(file);
  writeFileSync(join(dir, 'seed.json'), JSON.stringify(taughtAgent().toJSON()));
  const seeded = new QTableStore(join(dir, 'seed.json'));
  const { step } = qScalingProposal(seeded.load(), { history: demand(1.5, 2), pods: 2 });
  const update = seeded.update((agent) => qLearnFromOutcome(agent, step, 'resolved', demand(1.5, 2), 1210))!;
  const reread = seeded.load();
  assert.equal(reread.table.row(step.state)[Q_ACTIONS.indexOf('up-big')], update.after);
  assert.notEqual(update.after, update.before);
  assert.equal(reread.episodes, 900);

  writeFileSync(join(dir, 'bad.json'), '{"format": "nimbusguard.qtable", "version": 9}');
  assert.throws(() => new QTableStore(join(dir, 'bad.json')).load(), /unsupported version 9 \(in .*bad\.json\)/);
  writeFileSync(join(dir, 'broken.json'), '{');
  assert.throws(() => new QTableStore(join(dir, 'broken.json')).load(), /not valid JSON/);
  // A cluster with no table yet gets the synthetic-trained one, saved for the next read.
  const fresh = store.load();
  assert.ok(fresh.episodes > 0 && fresh.table.size > 0);
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).format, 'nimbusguard.qtable');
});

function judged(
  category: string,
  fixKind: string,
  result: OutcomeResult | 'restored',
  rollbackOf?: string,
): ChangeRecord {
  return {
    id: `c-${Math.random()}`,
    status: 'applied',
    proposal: { category, fixKind },
    outcome: { result },
    ...(rollbackOf ? { rollbackOf } : {}),
  } as unknown as ChangeRecord;
}

test('success rates per (cause × fix kind) count judged fixes only', () => {
  const rates = successRates([
    judged('memory', 'memory-limit', 'resolved'),
    judged('memory', 'memory-limit', 'resolved'),
    judged('memory', 'memory-limit', 'regressed'),
    judged('memory', 'memory-limit', 'inconclusive'),
    judged('scaling', 'replicas', 'resolved'),
    judged('rollback', 'replicas', 'restored', 'c-1'),
  ]);
  assert.deepEqual(rates.rateOf('memory', 'memory-limit'), { rate: 2 / 3, samples: 3 });
  assert.deepEqual(rates.rateOf('scaling', 'replicas'), { rate: 1, samples: 1 });
  assert.equal(rates.rateOf('rollback', 'replicas'), undefined);
  assert.equal(rates.rows()[0]!.meanReward, 1 / 3);
});
