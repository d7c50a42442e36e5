// Builds the Scaling panel's state from what the cluster session holds: the workload, its HPA and
// its usage history become observations, the predictive policy's proposal and the chart data.
// No editor API here, so the whole pull is testable with a plain snapshot.
import type { ClusterSnapshot } from '../../core/model/snapshot';
import type { Proposal } from '../../core/model/proposal';
import { hpaTargeting, scalingProposalOn } from '../../core/change/scalingPlan';
import type { UsageHistory } from '../../core/model/usageHistory';
import type { Workload } from '../../core/model/workload';
import { liveObservations, podCpuRequest, type ContainerSeries } from '../../core/scaling/liveObservations';
import { proposeScaling } from '../../core/scaling/scalingProposal';
import { scalingChartData } from '../../core/scaling/scalingChartData';
import { demandObservations } from '../../core/scaling/demandObservations';
import { PREDICTIVE_DEFAULTS } from '../../core/scaling/predictiveOptions';
import { describeAccuracy } from '../../core/scaling/forecastAccuracy';
import { DEFAULT_SCALING_OBJECTIVE, describeObjective, type ScalingObjective } from '../../core/scaling/objective';
import type { Observation } from '../../core/scaling/policy';
import type { DemandRead } from '../../cluster/prometheusDemand';
import type { DemandPlan, GoverningPolicy } from './demandSource';
import type {
  DemandSourceInfo,
  DemandUnit,
  ScalingPanelState,
  ScalingProposalSummary,
  ScalingWorkloadRef,
} from './protocol';

export type MetricsPhase =
  { phase: 'waiting' } | { phase: 'serving'; pods: number } | { phase: 'unavailable'; message: string };

export interface ScalingSource {
  context: string;
  snapshot: ClusterSnapshot;
  usage: UsageHistory;
  /** undefined when the session does not read metrics at all. */
  metrics: MetricsPhase | undefined;
  /** False while the informers still list: an object not seen yet may just not be listed yet. */
  synced?: boolean;
}

export const CPU_DEMAND: DemandUnit = { label: 'CPU cores', unit: 'cores' };
export const REQUEST_DEMAND: DemandUnit = { label: 'Requests per second', unit: 'req/s' };
const CPU_SOURCE: DemandSourceInfo = {
  kind: 'cpu',
  description: 'CPU usage from metrics.k8s.io, capacity per replica from the CPU request',
};

/** What the panel knows beyond the session: the demand plan, what Prometheus answered, the governing policy. */
export interface DemandInput {
  plan: DemandPlan;
  /** Prometheus's answer when the plan uses it. */
  read?: DemandRead;
  policy?: GoverningPolicy;
  /** Problems with the policies that select this workload (overlaps, an HPA beside one). */
  policyNotes?: string[];
  /** `nimbusguard.scaling.objective` (default availability). */
  objective?: ScalingObjective;
}

const ORIGIN_TEXT = {
  annotation: "the workload's annotation nimbusguard.dev/demand-query",
  policy: 'the scaling policy',
  setting: 'the setting nimbusguard.prometheus.query',
  default: 'the default query (1-minute request rate of the pods)',
} as const;
/** Half an hour of 15 s observations on the chart, so the forecast ahead stays visible. */
const CHART_POINTS = 120;
/** Five minutes of 15 s observations: fewer make a forecast (and a proposal) that is mostly noise. */
export const MIN_OBSERVATIONS = 20;

export function buildScalingState(
  source: ScalingSource | undefined,
  ref: ScalingWorkloadRef,
  now: number,
  input?: DemandInput,
): ScalingPanelState {
  const base: ScalingPanelState = {
    workload: ref,
    context: source?.context ?? '',
    demand: CPU_DEMAND,
    source: CPU_SOURCE,
    chart: { datasets: [] },
    tickSeconds: 15,
    observations: 0,
    notes: [],
    updatedAt: now,
  };
  if (!source) return { ...base, notes: ['Not connected to a cluster.'] };
  const workload = source.snapshot.getWorkload(ref.kind, ref.namespace, ref.name);
  if (!workload && source.synced === false)
    return { ...base, context: source.context, notes: [`Reading context ${source.context}…`] };
  if (!workload)
    return {
      ...base,
      missing: true,
      notes: [
        `${ref.kind} ${ref.namespace}/${ref.name} is not in context ${source.context} (deleted, or not watched).`,
      ],
    };

  const series: ContainerSeries[] = workload.template.containers.map((c) => ({
    container: c.name,
    samples: source.usage.samples(ref.kind, ref.namespace, ref.name, c.name),
  }));
  const request = podCpuRequest(workload.template);
  const live = liveObservations(series, request);
  const policy = input?.policy;
  let history: Observation[] = live.observations;
  let demand = CPU_DEMAND;
  let demandSource: DemandSourceInfo = policy ? { ...CPU_SOURCE, policy: policy.label } : CPU_SOURCE;
  let notes: string[];
  let capacityKnown = request !== undefined;
  const plan = input?.plan;
  if (plan?.source === 'prometheus' && input?.read?.ok) {
    const d = demandObservations({
      demand: input.read.points,
      cpu: live.observations,
      readyNow: workload.ready,
      ...(policy?.threshold !== undefined ? { threshold: policy.threshold } : {}),
      sloUtilization: policy?.targetUtilization ?? PREDICTIVE_DEFAULTS.sloUtilization,
      tickSeconds: live.tickSeconds,
    });
    history = d.observations;
    demand = REQUEST_DEMAND;
    capacityKnown = d.capacity !== 'unknown';
    demandSource = {
      kind: 'prometheus',
      description: `Prometheus ${plan.url}${plan.urlFrom === 'policy' ? ' (named by the policy)' : ''}: ${plan.choice.origin === 'policy' && policy ? `${policy.label}'s query` : ORIGIN_TEXT[plan.choice.origin]}, ${input.read.series} series summed; capacity per replica ${d.capacity === 'threshold' ? "from the policy's threshold" : 'from requests per CPU core and the CPU request'}`,
      url: plan.url,
      query: plan.request.query,
      origin: plan.choice.origin,
      ...(policy ? { policy: policy.label } : {}),
    };
    notes = history.length === 0 ? ['Prometheus returned no points yet.'] : [];
    if (d.restartedAt !== undefined)
      notes.push('The Prometheus series had a gap too long to bridge; only the points after it are used.');
    if (!capacityKnown)
      notes.push(
        'No CPU utilization was observed at the same times as the request rate, so capacity per replica is unknown; give the policy a threshold or set CPU requests.',
      );
  } else {
    notes = metricsNotes(source.metrics, history.length);
    if (live.restartedAt !== undefined)
      notes.push('The metrics had a gap too long to bridge; only the samples after it are used.');
    if (plan?.source === 'prometheus' && input?.read && !input.read.ok) {
      notes.unshift(`Prometheus (${plan.url}): ${input.read.error.message} Showing CPU from metrics.k8s.io instead.`);
    }
    if (plan?.source === 'cpu' && plan.note) notes.push(plan.note);
  }
  notes.push(...(input?.policyNotes ?? []));
  const state: ScalingPanelState = {
    ...base,
    demand,
    source: demandSource,
    tickSeconds: live.tickSeconds,
    observations: history.length,
    notes,
  };

  if (workload.kind === 'DaemonSet') {
    notes.unshift(
      'A DaemonSet runs one pod per eligible node, so there is no replica count to propose; demand is shown for reference.',
    );
    state.chart = scalingChartData({
      history,
      forecast: [],
      maxHistoryPoints: CHART_POINTS,
      demandLabel: demand.label,
    });
    return state;
  }
  if (history.length > 0 && !capacityKnown && demand === CPU_DEMAND) {
    notes.push(
      'Not every container of the pod template requests CPU, so capacity per replica is unknown and the proposal keeps the current replicas. Set CPU requests to get a sized proposal.',
    );
  }
  if (history.length < MIN_OBSERVATIONS) {
    if (history.length > 0) {
      const minutes = Math.ceil(((MIN_OBSERVATIONS - history.length) * live.tickSeconds) / 60);
      notes.push(
        `Collecting history: ${history.length} of ${MIN_OBSERVATIONS} observations; the forecast and the proposal start in about ${minutes} minute${minutes === 1 ? '' : 's'}.`,
      );
    }
    state.chart = scalingChartData({
      history,
      forecast: [],
      maxHistoryPoints: CHART_POINTS,
      demandLabel: demand.label,
    });
    return state;
  }
  const hpa = hpaOf(source.snapshot, workload);
  const proposal = proposeScaling({
    history,
    pods: workload.desired,
    ready: workload.ready,
    ...(hpa ? { hpa } : {}),
    ...(policy?.minReplicas !== undefined ? { minReplicas: policy.minReplicas } : {}),
    ...(policy?.maxReplicas !== undefined ? { maxReplicas: policy.maxReplicas } : {}),
    ...(policy?.targetUtilization !== undefined ? { options: { sloUtilization: policy.targetUtilization } } : {}),
    objective: input?.objective ?? DEFAULT_SCALING_OBJECTIVE,
  });
  const summary: ScalingProposalSummary = {
    replicas: proposal.replicas,
    currentReplicas: proposal.currentReplicas,
    readyReplicas: workload.ready,
    reason:
      inDemandUnit(proposal.reason, demand) +
      (policy && (policy.minReplicas !== undefined || policy.maxReplicas !== undefined)
        ? ` Bounds ${policy.minReplicas ?? 1}–${policy.maxReplicas ?? '∞'} from ${policy.label}.`
        : ''),
    confidence: proposal.confidence,
    objective: { name: proposal.objective, text: describeObjective(proposal.objective) },
  };
  if (proposal.accuracy)
    summary.accuracy = { ...proposal.accuracy, text: inDemandUnit(describeAccuracy(proposal.accuracy), demand) };
  if (hpa && proposal.hpa) summary.hpa = { current: hpa, proposed: proposal.hpa };
  if (proposal.replicaCapacity !== undefined) summary.replicaCapacity = proposal.replicaCapacity;
  state.proposal = summary;
  state.chart = scalingChartData({
    history,
    forecast: proposal.forecast,
    proposal,
    maxHistoryPoints: CHART_POINTS,
    demandLabel: demand.label,
  });
  return state;
}

function metricsNotes(metrics: MetricsPhase | undefined, observations: number): string[] {
  if (observations > 0) {
    if (metrics?.phase === 'unavailable') return [`Metrics stopped: ${metrics.message}`];
    return [];
  }
  if (metrics === undefined) return ['Pod metrics are not read in this session, so there is no demand to forecast.'];
  switch (metrics.phase) {
    case 'unavailable':
      return [`metrics.k8s.io is not served or not readable, so there is no demand to forecast. ${metrics.message}`];
    case 'waiting':
      return ['No metrics yet: waiting for the first reading from metrics.k8s.io.'];
    case 'serving':
      return ['No metrics for this workload yet: metrics.k8s.io lists no running pod of it so far.'];
  }
}

/** The workload's HorizontalPodAutoscaler bounds, when one targets it. */
export function hpaOf(
  snapshot: ClusterSnapshot,
  workload: Pick<Workload, 'kind' | 'namespace' | 'name'>,
): { minReplicas: number; maxReplicas: number } | undefined {
  const hpa = hpaTargeting(snapshot, workload);
  return hpa ? { minReplicas: hpa.minReplicas, maxReplicas: hpa.maxReplicas } : undefined;
}

/** The proposal's reason speaks of requests per second; live demand is in another unit. */
export function inDemandUnit(reason: string, demand: DemandUnit): string {
  return reason.replace(/req\/s/g, demand.unit);
}

/**
 * The act-loop proposal for what the panel shows: the same replicas or HPA bounds, on the objects as
 * the snapshot holds them now (their uids bind the plan). Undefined when the panel proposes no change
 * or the objects are gone.
 */
export function panelActProposal(snapshot: ClusterSnapshot, state: ScalingPanelState): Proposal | undefined {
  const p = state.proposal;
  if (!p || state.missing) return undefined;
  const w = snapshot.getWorkload(state.workload.kind, state.workload.namespace, state.workload.name);
  if (!w || (w.kind !== 'Deployment' && w.kind !== 'StatefulSet')) return undefined;
  const hpa = hpaTargeting(snapshot, w);
  return scalingProposalOn(snapshot, w, {
    replicas: p.replicas,
    currentReplicas: w.desired,
    confidence: p.confidence,
    ...(hpa && p.hpa ? { hpa: p.hpa.proposed } : {}),
  });
}
