import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QLearningAgent, Q_DEFAULTS } from '../../../src/core/learning/qLearningAgent';
import { QTable } from '../../../src/core/learning/qTable';
import { trainOnSeries, newQAgent } from '../../../src/core/scaling/qTraining';
import { Q_ACTIONS, QLearningPolicy, qState, applyQAction } from '../../../src/core/scaling/qlearningPolicy';
import { qReward } from '../../../src/core/learning/reward';
import { syntheticTrace } from '../../../src/core/scaling/syntheticTraces';
import { simulate } from '../../../src/core/scaling/simulator';

test('the agent uses the design hyper-parameters', () => {
  assert.deepEqual(Q_DEFAULTS, { alpha: 0.1, gamma: 0.95, epsilon: 1.0, epsilonMin: 0.01, epsilonDecay: 0.995 });
  const agent = newQAgent();
  agent.endEpisode();
  assert.equal(agent.epsilon, 0.995);
  for (let i = 0; i < 2000; i++) agent.endEpisode();
  assert.equal(agent.epsilon, 0.01);
});

test('a TD update moves Q by alpha towards reward + gamma * max Q(next)', () => {
  const agent = new QLearningAgent(['a', 'b']);
  agent.table.row('next')[1] = 10;
  agent.learn('s', 0, 1, 'next');
  assert.equal(agent.table.row('s')[0], 0.1 * (1 + 0.95 * 10));
});

test('the Q-table round-trips through JSON', () => {
  const agent = trainOnSeries(newQAgent(3), [syntheticTrace('diurnal', 1000, 2)], {
    episodes: 20,
    episodeTicks: 100,
    seed: 4,
  });
  const text = JSON.stringify(agent.toJSON());
  const back = QLearningAgent.fromJSON(JSON.parse(text), Q_ACTIONS);
  assert.deepEqual(back.toJSON(), agent.toJSON());
  assert.equal(back.episodes, 20);
  assert.ok(back.table.size > 0);
});

test('loading a malformed table says what is wrong', () => {
  assert.throws(() => QTable.fromJSON({ format: 'x' }), /"format"/);
  const good = newQAgent().toJSON();
  assert.throws(() => QTable.fromJSON({ ...good, states: { s: [1, 2] } }), /state "s" must hold 6 finite numbers/);
  assert.throws(() => QTable.fromJSON(good, ['a']), /do not match/);
});

test('state, actions and reward follow the design', () => {
  assert.equal(qState([{ t: 0, rps: 10, ready: 2, rho: 0.7 }], 2), 'u3:r2:p1');
  assert.equal(applyQAction(Q_ACTIONS.indexOf('hold'), 5), 5);
  assert.equal(applyQAction(Q_ACTIONS.indexOf('down'), 5), 4);
  assert.equal(applyQAction(Q_ACTIONS.indexOf('surge'), 10), 15);
  const ok = qReward({ rho: 0.8 }, true);
  const bad = qReward({ rho: 1.2 }, true);
  const idle = qReward({ rho: 0.1 }, true);
  assert.ok(ok > idle && idle > bad);
  assert.ok(qReward({ rho: 0.8 }, false) < ok, 'changing the replica count costs a little');
  assert.ok(qReward({ rho: Number.NaN }, true) <= bad, 'an unknown load counts as a missed SLO');
});

test('the policy keeps its decisions within bounds while it learns online', () => {
  const rps = syntheticTrace('stepSurge', 800, 5);
  const run = simulate(rps, new QLearningPolicy(newQAgent(9)));
  assert.ok([...run.desired].every((d) => d >= 1 && d <= 50));
});
