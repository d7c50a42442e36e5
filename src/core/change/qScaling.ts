// The Q-learning policy on a live workload: its scaling proposal (the greedy action in the state
// the recorded demand puts the workload in), and the temporal-difference update the judged
// outcome of that proposal makes, so the table the policy reads next time has learned from it.
import type { QLearningAgent } from '../learning/qLearningAgent';
import { scalingOutcomeReward } from '../learning/reward';
import type { Outcome, OutcomeResult, QLearningStep } from '../model/proposal';
import type { Observation } from '../scaling/policy';
import { applyQAction, Q_ACTIONS, qState } from '../scaling/qlearningPolicy';
import type { ProposalInput, ScalingProposal } from '../scaling/scalingProposal';
import { MAX_REPLICAS, MIN_REPLICAS } from '../scaling/simulator';
import { DEFAULT_SCALING_OBJECTIVE } from '../scaling/objective';
import { clampReplicas } from '../scaling/policy';

export type ScalingPolicyName = 'predictive' | 'qlearning';
export const SCALING_POLICY_NAMES: readonly ScalingPolicyName[] = ['predictive', 'qlearning'];

/** The Q-learning policy's proposal and the (state, action) it took, to be rewarded once judged. */
export function qScalingProposal(
  agent: QLearningAgent,
  input: Pick<ProposalInput, 'history' | 'pods' | 'hpa' | 'objective'>,
): { proposal: ScalingProposal; step: QLearningStep } {
  const state = qState(input.history, input.pods);
  const known = agent.table.has(state);
  let action = agent.act(state, false);
  if (action < 0) action = Q_ACTIONS.indexOf('hold');
  const name = Q_ACTIONS[action]!;
  const replicas = clampReplicas(applyQAction(action, input.pods), MIN_REPLICAS, MAX_REPLICAS);
  const values = agent.table.has(state) ? agent.table.row(state) : [];
  const last = input.history[input.history.length - 1];
  const reason = [
    `Q-learning policy (${agent.episodes} training episodes): state ${state}` +
      (last && Number.isFinite(last.rho) ? ` (utilization ${Math.round(last.rho * 100)} % of the CPU request)` : '') +
      '.',
    known
      ? `Best known action "${name}" (value ${values[action]!.toFixed(3)}): ${input.pods} → ${replicas} replicas.`
      : `State never seen in training: holding ${input.pods} replicas.`,
  ].join(' ');
  const proposal: ScalingProposal = {
    replicas,
    currentReplicas: input.pods,
    forecast: [],
    replicaCapacity: undefined,
    reason,
    confidence: known ? Math.round(Math.min(0.9, 0.2 + agent.episodes / 5000) * 100) / 100 : 0.1,
    // The table's reward already weighs SLO against efficiency; the objective judges it in the replay check.
    objective: input.objective ?? DEFAULT_SCALING_OBJECTIVE,
  };
  if (input.hpa)
    proposal.hpa = { minReplicas: input.hpa.minReplicas, maxReplicas: Math.max(input.hpa.maxReplicas, replicas) };
  return {
    proposal,
    step: { policy: 'qlearning', state, action: name, fromReplicas: input.pods, toReplicas: replicas },
  };
}

/** The update's record, kept with the outcome in the ledger. */
export type QLearningUpdate = NonNullable<Outcome['learned']>;

/**
 * The update a judged scaling outcome makes to the agent (in place). `history` is the workload's
 * demand up to the judgement; observations at or after `since` (seconds) were seen with the new
 * replicas. Without any, the newest demand is spread over the new replica count, as the simulator
 * would. No update for an unjudged (inconclusive) outcome.
 */
export function qLearnFromOutcome(
  agent: QLearningAgent,
  step: QLearningStep,
  result: OutcomeResult,
  history: readonly Observation[],
  since: number,
): QLearningUpdate | undefined {
  const action = Q_ACTIONS.indexOf(step.action as (typeof Q_ACTIONS)[number]);
  if (action < 0) return undefined;
  const seen = history.filter((o) => o.t >= since);
  const observed = seen.length > 0;
  let after: Observation | undefined = seen[seen.length - 1];
  if (!after) {
    const last = history[history.length - 1];
    if (last) {
      const ready = Math.max(1, step.toReplicas);
      after = { ...last, ready, rho: (last.rho * Math.max(1, last.ready)) / ready };
    }
  }
  const reward = scalingOutcomeReward(result, after, step.toReplicas === step.fromReplicas);
  if (reward === undefined) return undefined;
  const next = qState(after ? [...history.filter((o) => o.t < since), after] : history, step.toReplicas);
  const before = agent.table.row(step.state)[action]!;
  agent.learn(step.state, action, reward, next);
  return {
    state: step.state,
    action: step.action,
    reward,
    next,
    before,
    after: agent.table.row(step.state)[action]!,
    observed,
  };
}
