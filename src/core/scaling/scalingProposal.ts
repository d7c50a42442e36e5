// The scaling proposal for one live workload: the same predictive policy the benchmark scores,
// replayed over the workload's observation history, with its forecast, reason and confidence.
import type { ForecastPoint } from './forecast';
import { forecastAccuracy, type ForecastAccuracy, type PastForecast } from './forecastAccuracy';
import { DEFAULT_SCALING_OBJECTIVE, type ScalingObjective } from './objective';
import { PredictivePolicy, type PredictiveOptions } from './predictivePolicy';
import type { Observation, ScalingContext } from './policy';

export interface ProposalInput {
  /** Observations oldest first, one per metrics interval (the newest is the last one known). */
  history: readonly Observation[];
  /** Pods that exist now and how many of them are ready. */
  pods: number;
  ready: number;
  /** The workload's HorizontalPodAutoscaler bounds, when it has one. */
  hpa?: { minReplicas: number; maxReplicas: number };
  minReplicas?: number;
  maxReplicas?: number;
  options?: Partial<PredictiveOptions>;
  /** Availability (the default) keeps the predictive headroom; cost caps the count at the HPA's. */
  objective?: ScalingObjective;
}

export interface ScalingProposal {
  replicas: number;
  currentReplicas: number;
  hpa?: { minReplicas: number; maxReplicas: number };
  forecast: ForecastPoint[];
  /** Requests per second one replica serves at the SLO utilization, when known. */
  replicaCapacity: number | undefined;
  reason: string;
  /** 0..1: how far to trust the proposal (history length, forecast error, capacity known). */
  confidence: number;
  objective: ScalingObjective;
  /** The forecasts made while the history was replayed, held against the demand that arrived. */
  accuracy?: ForecastAccuracy;
}

export function proposeScaling(input: ProposalInput): ScalingProposal {
  // With an HPA the proposal may move its bounds, so the policy sizes within wider limits.
  const min = input.minReplicas ?? 1;
  const max = input.maxReplicas ?? Math.max(50, 2 * (input.hpa?.maxReplicas ?? 0));
  const policy = new PredictivePolicy(input.options);
  const history = input.history;
  const step = history.length >= 2 ? history[history.length - 1]!.t - history[history.length - 2]!.t : 15;
  const now = history.length > 0 ? history[history.length - 1]!.t + step : 0;
  const initial: Observation = history[0] ?? { t: 0, rps: 0, ready: input.ready, rho: 0 };
  // Warm the policy on the history as it arrived, so its error model and hold are the benchmark's.
  const seen: Observation[] = [];
  const past: PastForecast[] = [];
  for (let i = 1; i < history.length; i++) {
    seen.push(history[i - 1]!);
    const ctx: ScalingContext = {
      t: history[i]!.t,
      history: seen,
      initial,
      pods: history[i]!.ready,
      ready: history[i]!.ready,
      minReplicas: min,
      maxReplicas: max,
    };
    policy.decide(ctx);
    const made = policy.decision;
    if (made) past.push({ t: history[i - 1]!.t, points: made.forecast.points });
  }
  const objective = input.objective ?? DEFAULT_SCALING_OBJECTIVE;
  const decided = policy.decide({
    t: now,
    history,
    initial,
    pods: input.pods,
    ready: input.ready,
    minReplicas: min,
    maxReplicas: max,
  });
  const decision = policy.decision!;
  const forecast = decision.forecast;
  // Without a capacity there is nothing to size from: keep what runs rather than follow the HPA's guess.
  const predicted = forecast.capacity === undefined ? Math.min(max, Math.max(min, input.pods)) : decided;
  // The cost objective caps the count at the HPA's (there is no HPA count while the capacity is unknown).
  const replicas =
    objective === 'cost' && forecast.capacity !== undefined
      ? Math.max(min, Math.min(predicted, decision.hpa))
      : predicted;
  const sloUtilization = policy.options.sloUtilization;
  const capacity = forecast.capacity;
  const peak = forecast.points.reduce((m, p) => Math.max(m, p.median), 0);
  const upper = forecast.points.reduce((m, p) => Math.max(m, p.upper), 0);
  const parts: string[] = [];
  if (capacity === undefined)
    parts.push(
      'No utilization with load observed yet, so per-replica capacity is unknown: holding the current replicas.',
    );
  else {
    const horizon = Math.round(policy.horizonSeconds);
    const holdMinutes = Math.round(policy.options.holdSeconds / 60);
    const perReplica = capacity * sloUtilization;
    parts.push(
      `Demand now ${forecast.level.toFixed(2)} req/s, the most in the last ${holdMinutes} min ${forecast.held.toFixed(2)} req/s; one replica serves ${perReplica.toFixed(2)} req/s at ${Math.round(sloUtilization * 100)} % utilization.`,
    );
    const rises = `this workload's own rises over ${horizon} s (${forecast.errorSamples} seen)`;
    if (forecast.errorSamples >= policy.options.minRises) {
      parts.push(
        `Over the next ${horizon} s demand may reach ${upper.toFixed(2)} req/s (median ${peak.toFixed(2)} req/s).`,
      );
    } else parts.push('Too few rises seen yet to size headroom from: provisioning what the HPA would.');
    const minutes = Math.round((decision.bank * (policy.horizonSeconds / policy.horizonTicks)) / 60);
    const credit = Math.abs(decision.credit);
    parts.push(
      `The HPA on the same demand would run ${decision.hpa}; against it the policy has saved ${minutes} pod-minutes so far and had ${credit} ${decision.credit >= 0 ? 'fewer' : 'more'} violating tick${credit === 1 ? '' : 's'}. It never runs more than that saving pays for.`,
    );
    const quantile = `${(forecast.quantile * 100).toFixed(1)} % quantile`;
    if (decided < decision.hpa)
      parts.push(
        `Below the HPA's count: the ${forecast.quantile >= 1 ? 'largest' : quantile} of ${rises} fits under it (headroom +${Math.round((forecast.headroom - 1) * 100)} %).`,
      );
    else if (decided > decision.hpa)
      parts.push(
        decision.hold >= decided
          ? `Above the HPA's count to hold the demand of the last ${holdMinutes} min, paid from the saving.`
          : `Above the HPA's count: the ${quantile} of ${rises} asks for headroom +${Math.round((forecast.headroom - 1) * 100)} %, paid from the saving.`,
      );
    else parts.push("At the HPA's count: the workload's rises do not show it can safely run fewer.");
    if (replicas < predicted) {
      parts.push(
        `The objective is cost: ${replicas} replicas, what the HPA would run, instead of the ${predicted} the forecast asks for (estimated SLO risk at ${predicted}: ${(decision.risk * 100).toFixed(1)} %; higher at ${replicas}).`,
      );
    } else {
      if (replicas > input.pods)
        parts.push(`Scale up ${input.pods} → ${replicas} now: new pods need time to become ready.`);
      else if (replicas < input.pods)
        parts.push(
          `Scale down ${input.pods} → ${replicas}: neither the last ${holdMinutes} min nor the band ahead needs more.`,
        );
      else
        parts.push(
          `Keep ${replicas} replicas${decision.hold >= replicas && decision.need < replicas ? ` while demand seen in the last ${holdMinutes} min still needs them` : ''}.`,
        );
      parts.push(`Estimated SLO risk at ${replicas} replicas: ${(decision.risk * 100).toFixed(1)} %.`);
    }
  }
  const proposal: ScalingProposal = {
    replicas,
    currentReplicas: input.pods,
    forecast: forecast.points,
    replicaCapacity: capacity === undefined ? undefined : capacity * sloUtilization,
    reason: parts.join(' '),
    confidence: confidenceOf(forecast.errorSamples, capacity !== undefined, forecast.points),
    objective,
  };
  const accuracy = forecastAccuracy(past, history);
  if (accuracy) proposal.accuracy = accuracy;
  if (input.hpa) {
    // Keep the HPA's floor unless the forecast's low end needs more; raise its ceiling when the proposal exceeds it.
    const low = forecast.points.reduce((m, p) => Math.min(m, p.lower), Infinity);
    const lowNeed = capacity ? Math.ceil(low / (capacity * sloUtilization)) : 0;
    proposal.hpa = {
      minReplicas: Math.max(input.hpa.minReplicas, Math.min(replicas, lowNeed)),
      maxReplicas: Math.max(input.hpa.maxReplicas, replicas),
    };
  }
  return proposal;
}

function confidenceOf(samples: number, capacityKnown: boolean, points: readonly ForecastPoint[]): number {
  if (!capacityKnown) return 0.1;
  const history = Math.min(1, samples / 240);
  const last = points[points.length - 1];
  const width = last && last.mean > 0 ? (last.upper - last.lower) / last.mean : 1;
  const sharpness = 1 / (1 + Math.max(0, width));
  return Math.round(Math.min(0.95, 0.2 + 0.5 * history + 0.3 * sharpness) * 100) / 100;
}
