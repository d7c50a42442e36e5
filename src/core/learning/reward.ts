// The reward the Q-learning scaler learns from, per tick: meet the SLO first, then use what is
// paid for, and do not churn replicas. Kept apart from the policy so outcome statistics and any
// other learner score a tick the same way.

export interface QRewardWeights {
  slo: number;
  efficiency: number;
  stability: number;
}

export const Q_REWARD_DEFAULTS: QRewardWeights = { slo: 2, efficiency: 1, stability: 0.05 };

/**
 * Reward of the tick just observed: `rho` is demand over ready capacity (above 0.9 the SLO is
 * missed), `held` whether the action kept the replica count.
 */
export function qReward(obs: { rho: number }, held: boolean, weights: QRewardWeights = Q_REWARD_DEFAULTS): number {
  const rho = Number.isFinite(obs.rho) ? obs.rho : 10;
  const slo = rho > 0.9 ? -1 : 0;
  const efficiency = rho > 0.9 ? 0 : rho / 0.9;
  const churn = held ? 0 : -1;
  return weights.slo * slo + weights.efficiency * efficiency + weights.stability * churn;
}

/**
 * The reward of a judged scaling change, for the Q-learning table: the tick reward of the demand
 * seen with the new replicas (SLO, efficiency, churn), less the SLO weight again when the change
 * regressed the workload (new incidents on it). An inconclusive or rollback outcome teaches nothing.
 */
export function scalingOutcomeReward(
  result: string,
  after: { rho: number } | undefined,
  held: boolean,
  weights: QRewardWeights = Q_REWARD_DEFAULTS,
): number | undefined {
  if (result !== 'resolved' && result !== 'unresolved' && result !== 'regressed') return undefined;
  const tick = after ? qReward(after, held, weights) : 0;
  return tick - (result === 'regressed' ? weights.slo : 0);
}
