// What a scaling proposal optimizes when SLO violations and replica-hours pull apart: the user's
// `nimbusguard.scaling.objective`. The benchmark always scores the default.

export type ScalingObjective = 'availability' | 'cost';

export const SCALING_OBJECTIVES: readonly ScalingObjective[] = ['availability', 'cost'];

/** The benchmark's policy, predictive headroom included. */
export const DEFAULT_SCALING_OBJECTIVE: ScalingObjective = 'availability';

/** A setting's value as an objective; anything else is the default, with the reason. */
export function parseScalingObjective(value: unknown): { objective: ScalingObjective; problem?: string } {
  if (value === undefined || value === null || value === '') return { objective: DEFAULT_SCALING_OBJECTIVE };
  if (typeof value === 'string' && (SCALING_OBJECTIVES as readonly string[]).includes(value))
    return { objective: value as ScalingObjective };
  return {
    objective: DEFAULT_SCALING_OBJECTIVE,
    problem: `nimbusguard.scaling.objective must be one of ${SCALING_OBJECTIVES.join(', ')}; using ${DEFAULT_SCALING_OBJECTIVE}`,
  };
}

/** What the objective means for the proposal, in one sentence. */
export function describeObjective(objective: ScalingObjective): string {
  return objective === 'availability'
    ? 'Objective: availability. The proposal adds headroom for the rises this workload has shown when its savings against the HPA pay for it; the replay accepts fewer SLO violations at more replica-hours.'
    : 'Objective: cost. The proposal never runs more replicas than the HPA would on the same demand (no predictive headroom); the replay accepts a change only at no more replica-hours and no more SLO violations than now.';
}
