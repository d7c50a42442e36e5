// The reinforcement-learning agent of the original design: state from utilization, request-rate
// trend and pod count; actions scale down / hold / up by steps; reward from SLO compliance,
// resource efficiency and stability. It keeps learning online from what it observes.
import { QLearningAgent } from '../learning/qLearningAgent';
import { qReward } from '../learning/reward';
import { clampReplicas, type Observation, type ScalingContext, type ScalingPolicy } from './policy';

export const Q_ACTIONS = ['down-big', 'down', 'hold', 'up', 'up-big', 'surge'] as const;

const UTILIZATION_EDGES = [0.3, 0.5, 0.65, 0.75, 0.85, 0.9, 1.0, 1.2];
const TREND_EDGES = [-0.1, -0.02, 0.02, 0.1];
const POD_EDGES = [1, 2, 4, 8, 16, 32];

function bucket(value: number, edges: readonly number[]): number {
  let b = 0;
  while (b < edges.length && value > edges[b]!) b++;
  return b;
}

/** The discrete state: utilization bucket, rate-trend bucket and pod-count bucket. */
export function qState(history: readonly Observation[], pods: number): string {
  const n = history.length;
  const last = n > 0 ? history[n - 1]! : undefined;
  const rho = last ? (Number.isFinite(last.rho) ? last.rho : 10) : 0.7;
  const earlier = n > 4 ? history[n - 5]!.rps : (last?.rps ?? 0);
  const now = last?.rps ?? 0;
  const trend = earlier > 0 ? now / earlier - 1 : now > 0 ? 1 : 0;
  return `u${bucket(rho, UTILIZATION_EDGES)}:r${bucket(trend, TREND_EDGES)}:p${bucket(pods, POD_EDGES)}`;
}

/** Replicas after `action` from `pods`. */
export function applyQAction(action: number, pods: number): number {
  switch (Q_ACTIONS[action]) {
    case 'down-big':
      return pods - Math.max(2, Math.round(pods * 0.2));
    case 'down':
      return pods - 1;
    case 'up':
      return pods + 1;
    case 'up-big':
      return pods + Math.max(2, Math.round(pods * 0.25));
    case 'surge':
      return pods + Math.max(4, Math.round(pods * 0.5));
    default:
      return pods;
  }
}

export class QLearningPolicy implements ScalingPolicy {
  readonly name = 'qlearning';
  private previous: { state: string; action: number } | undefined;
  private consumed = 0;

  constructor(
    readonly agent: QLearningAgent,
    readonly options: { learn: boolean; explore: boolean } = { learn: true, explore: true },
  ) {}

  decide(ctx: ScalingContext): number {
    const history = ctx.history;
    const state = qState(history.length > 0 ? history : [ctx.initial], ctx.pods);
    if (this.previous && this.options.learn && history.length > this.consumed) {
      const obs = history[history.length - 1]!;
      this.agent.learn(
        this.previous.state,
        this.previous.action,
        qReward(obs, Q_ACTIONS[this.previous.action] === 'hold'),
        state,
      );
    }
    this.consumed = history.length;
    let action = this.agent.act(state, this.options.explore);
    if (action < 0) action = Q_ACTIONS.indexOf('hold');
    this.previous = { state, action };
    return clampReplicas(applyQAction(action, ctx.pods), ctx.minReplicas, ctx.maxReplicas);
  }
}
