// The scaling side of the act loop: the predictive policy's proposal for a live workload (the same
// one the Scaling panel shows) as an act-loop Proposal, and the demand history the replay check uses.
import { hpaTargeting, replayScaling, scalingProposalOn, type ScalingSetting } from '../core/change/scalingPlan';
import type { CapacityFinding } from '../core/change/capacity';
import { mergeFindings, scaleDownCheck } from '../core/change/scaleDown';
import type { ActContext } from './actContext';
import type { Proposal } from '../core/model/proposal';
import type { ObjectRef } from '../core/model/resources';
import type { ClusterSnapshot } from '../core/model/snapshot';
import type { UsageHistory } from '../core/model/usageHistory';
import type { Observation } from '../core/scaling/policy';
import { liveObservations, podCpuRequest } from '../core/scaling/liveObservations';
import { proposeScaling } from '../core/scaling/scalingProposal';
import type { QLearningAgent } from '../core/learning/qLearningAgent';
import { qScalingProposal } from '../core/change/qScaling';
import type { ScalingObjective } from '../core/scaling/objective';

function workloadOf(snapshot: ClusterSnapshot, target: ObjectRef) {
  return target.kind === 'Deployment' || target.kind === 'StatefulSet'
    ? snapshot.getWorkload(target.kind, target.namespace, target.name)
    : undefined;
}

/** The workload's demand as the scaling policies see it (one observation per 15 s tick). */
export function demandHistory(
  snapshot: ClusterSnapshot,
  usage: UsageHistory | undefined,
  target: ObjectRef,
): { history: Observation[]; capacityKnown: boolean } {
  const w = workloadOf(snapshot, target);
  if (!w || !usage) return { history: [], capacityKnown: false };
  const series = w.template.containers.map((c) => ({
    container: c.name,
    samples: usage.samples(w.kind, w.namespace, w.name, c.name),
  }));
  const live = liveObservations(series, podCpuRequest(w.template));
  return { history: live.observations, capacityKnown: live.capacityKnown };
}

/**
 * The scaling proposal for a workload, or why there is none: the predictive policy's, or with
 * `qAgent` the Q-learning policy's (the proposal then carries the (state, action) its outcome rewards).
 */
export function scalingProposalFor(
  snapshot: ClusterSnapshot,
  usage: UsageHistory | undefined,
  target: ObjectRef,
  opts: { objective?: ScalingObjective; qAgent?: QLearningAgent } = {},
): { proposal?: Proposal; note: string } {
  const w = workloadOf(snapshot, target);
  if (!w)
    return {
      note: `${target.kind} ${target.namespace}/${target.name} cannot be scaled (only Deployments and StatefulSets)`,
    };
  const { history } = demandHistory(snapshot, usage, target);
  if (history.length === 0) return { note: 'no usage history yet (metrics.k8s.io samples arrive every ~15 s)' };
  const hpa = hpaTargeting(snapshot, target);
  const input = {
    history,
    pods: w.desired,
    ready: w.ready,
    ...(hpa ? { hpa: { minReplicas: hpa.minReplicas, maxReplicas: hpa.maxReplicas } } : {}),
    ...(opts.objective ? { objective: opts.objective } : {}),
  };
  const q = opts.qAgent ? qScalingProposal(opts.qAgent, input) : undefined;
  const s = q?.proposal ?? proposeScaling(input);
  const proposal = scalingProposalOn(snapshot, w, s);
  if (proposal && q) proposal.learning = q.step;
  return proposal ? { proposal, note: s.reason } : { note: `no change proposed: ${s.reason}` };
}

/** The replay check of a scaling proposal on the workload's recorded demand. */
export function replayCheck(
  snapshot: ClusterSnapshot,
  usage: UsageHistory | undefined,
  proposal: Proposal,
  workload: ObjectRef,
  objective?: ScalingObjective,
): CapacityFinding {
  const { history } = demandHistory(snapshot, usage, workload);
  const hpa = hpaTargeting(snapshot, workload);
  const w = workloadOf(snapshot, workload);
  const current: ScalingSetting = hpa
    ? { hpa: { minReplicas: hpa.minReplicas, maxReplicas: hpa.maxReplicas } }
    : { replicas: w?.desired ?? 1 };
  const edits = proposal.change.kind === 'patch' ? proposal.change.edits : [];
  const value = (path: string, fallback: number) => Number(edits.find((e) => e.path === path)?.value ?? fallback);
  const proposed: ScalingSetting =
    'hpa' in current
      ? {
          hpa: {
            minReplicas: value('spec.minReplicas', current.hpa.minReplicas),
            maxReplicas: value('spec.maxReplicas', current.hpa.maxReplicas),
          },
        }
      : { replicas: value('spec.replicas', current.replicas) };
  // Demand is in cores and a replica carries its cpu request, as the live observations count it.
  const capacity = w ? podCpuRequest(w.template) : undefined;
  return replayScaling(history, current, proposed, capacity, objective);
}

/** A workload's replicas lowered: the capacity lost against its recent demand (check 4). */
export function replicasScaleDown(
  ctx: Pick<ActContext, 'snapshot' | 'usage'>,
  proposal: Proposal,
  before: number,
  after: number,
): CapacityFinding | undefined {
  if (!(after < before)) return undefined;
  const w = workloadOf(ctx.snapshot, proposal.target);
  const { history } = demandHistory(ctx.snapshot, ctx.usage?.(), proposal.target);
  return scaleDownCheck({
    field: 'replicas',
    before,
    after,
    history,
    perReplica: w ? podCpuRequest(w.template) : undefined,
    ...(w ? { current: w.ready } : {}),
  });
}

/**
 * An HPA's bounds lowered (live object vs the dry-run's result): the capacity its workload loses
 * against recent demand. A lowered maximum weighs more than a lowered minimum, so it is reported.
 */
export function hpaScaleDown(
  ctx: Pick<ActContext, 'snapshot' | 'usage'>,
  proposal: Proposal,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw Kubernetes JSON
  live: Record<string, any>,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw Kubernetes JSON
  planned: Record<string, any> | undefined,
): CapacityFinding | undefined {
  if (proposal.target.kind !== 'HorizontalPodAutoscaler' || !planned) return undefined;
  const ref = live['spec']?.['scaleTargetRef'] as { kind?: string; name?: string } | undefined;
  if (!ref?.kind || !ref.name) return undefined;
  const workload = { kind: ref.kind, namespace: proposal.target.namespace, name: ref.name };
  const w = workloadOf(ctx.snapshot, workload);
  const { history } = demandHistory(ctx.snapshot, ctx.usage?.(), workload);
  const perReplica = w ? podCpuRequest(w.template) : undefined;
  const current = Number(live['status']?.['currentReplicas'] ?? NaN);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw Kubernetes JSON
  const bound = (o: Record<string, any>, key: string, fallback: number) => Number(o['spec']?.[key] ?? fallback);
  const findings = (['maxReplicas', 'minReplicas'] as const)
    .map((key) =>
      scaleDownCheck({
        field: key === 'maxReplicas' ? 'hpa-max' : 'hpa-min',
        before: bound(live, key, 1),
        after: bound(planned, key, bound(live, key, 1)),
        history,
        perReplica,
        ...(Number.isFinite(current) ? { current } : {}),
      }),
    )
    .filter((f): f is CapacityFinding => f !== undefined);
  return findings.length === 0 ? undefined : findings.reduce(mergeFindings);
}

/** The workload a scaling proposal sizes: its target, or the target of the HPA it changes. */
export function scalingWorkloadOf(snapshot: ClusterSnapshot, proposal: Proposal): ObjectRef {
  if (proposal.target.kind !== 'HorizontalPodAutoscaler') return proposal.target;
  const hpa = snapshot.get('HorizontalPodAutoscaler', proposal.target.namespace, proposal.target.name);
  return hpa ? { kind: hpa.target.kind, namespace: proposal.target.namespace, name: hpa.target.name } : proposal.target;
}
