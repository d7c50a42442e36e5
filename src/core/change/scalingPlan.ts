// Scaling proposals as act-loop proposals, and the replay check: the workload's own recent demand
// replayed through the benchmark simulator under the current and the proposed settings, with SLO
// violations and cost for both.
import type { Observation, ScalingContext, ScalingPolicy } from '../scaling/policy';
import { HpaPolicy } from '../scaling/hpaPolicy';
import type { ScalingProposal } from '../scaling/scalingProposal';
import { DEFAULT_SCALING_OBJECTIVE, type ScalingObjective } from '../scaling/objective';
import { capacityPerReplica, MAX_REPLICAS, MIN_REPLICAS, simulate } from '../scaling/simulator';
import { scoreTimeline } from '../scaling/scores';
import { ACT_API_VERSION, type Proposal, type ProposalChange } from '../model/proposal';
import type { HorizontalPodAutoscaler, ObjectRef } from '../model/resources';
import type { ClusterSnapshot } from '../model/snapshot';
import type { CapacityFinding } from './capacity';
import { fixKindOf, proposalId, riskOf } from './proposals';
import { strategicMergePatch } from '../diagnose/fixes';

/** What scales the workload: a fixed replica count, or an HPA's bounds. */
export type ScalingSetting = { replicas: number } | { hpa: { minReplicas: number; maxReplicas: number } };

/** The proposal for a scaling recommendation: new HPA bounds on the HPA, else spec.replicas on the workload. */
/** The HorizontalPodAutoscaler that targets a workload, when one does. */
export function hpaTargeting(
  snapshot: ClusterSnapshot,
  workload: Pick<ObjectRef, 'kind' | 'namespace' | 'name'>,
): HorizontalPodAutoscaler | undefined {
  return snapshot
    .list('HorizontalPodAutoscaler', workload.namespace)
    .find((h) => h.target.kind === workload.kind && h.target.name === workload.name);
}

/** `proposalFromScaling` on the workload and its HPA as the snapshot holds them (their uids bind the plan). */
export function scalingProposalOn(
  snapshot: ClusterSnapshot,
  workload: ObjectRef & { uid: string },
  s: Pick<ScalingProposal, 'replicas' | 'currentReplicas' | 'hpa' | 'confidence'>,
): Proposal | undefined {
  const hpa = hpaTargeting(snapshot, workload);
  return proposalFromScaling(
    { kind: workload.kind, namespace: workload.namespace, name: workload.name, uid: workload.uid },
    s,
    hpa
      ? {
          kind: 'HorizontalPodAutoscaler',
          namespace: hpa.meta.namespace,
          name: hpa.meta.name,
          uid: hpa.meta.uid,
          minReplicas: hpa.minReplicas,
          maxReplicas: hpa.maxReplicas,
        }
      : undefined,
  );
}

export function proposalFromScaling(
  workload: ObjectRef & { uid: string },
  s: Pick<ScalingProposal, 'replicas' | 'currentReplicas' | 'hpa' | 'confidence'>,
  hpa?: ObjectRef & { uid: string; minReplicas: number; maxReplicas: number },
): Proposal | undefined {
  const groupId = `scaling:${workload.uid}`;
  let target: ObjectRef & { uid: string };
  let edits;
  if (hpa && s.hpa) {
    edits = [
      ...(s.hpa.minReplicas !== hpa.minReplicas
        ? [{ path: 'spec.minReplicas', value: s.hpa.minReplicas, previous: hpa.minReplicas }]
        : []),
      ...(s.hpa.maxReplicas !== hpa.maxReplicas
        ? [{ path: 'spec.maxReplicas', value: s.hpa.maxReplicas, previous: hpa.maxReplicas }]
        : []),
    ];
    target = { kind: hpa.kind, namespace: hpa.namespace, name: hpa.name, uid: hpa.uid };
  } else {
    edits =
      s.replicas !== s.currentReplicas
        ? [{ path: 'spec.replicas', value: s.replicas, previous: s.currentReplicas }]
        : [];
    target = workload;
  }
  if (edits.length === 0) return undefined;
  const change: ProposalChange = { kind: 'patch', edits, patch: strategicMergePatch(edits) };
  const fixKind = fixKindOf(change, target);
  const { risk, reason } = riskOf(change, target, fixKind);
  const summary =
    target.kind === 'HorizontalPodAutoscaler'
      ? `Set the autoscaler's bounds to ${s.hpa!.minReplicas}–${s.hpa!.maxReplicas} replicas`
      : `Scale ${workload.name} from ${s.currentReplicas} to ${s.replicas} replicas`;
  return {
    apiVersion: ACT_API_VERSION,
    kind: 'Proposal',
    id: proposalId(groupId, target.uid, change),
    incidents: [],
    incidentType: 'Scaling',
    groupId,
    category: 'scaling',
    fixKind,
    target,
    change,
    summary,
    risk,
    riskReason: reason,
    fields: edits.map((e) => e.path),
    score: s.confidence,
  };
}

function policyFor(setting: ScalingSetting): ScalingPolicy {
  if ('replicas' in setting) {
    const n = Math.max(MIN_REPLICAS, Math.min(MAX_REPLICAS, Math.round(setting.replicas)));
    return { name: 'fixed', decide: () => n };
  }
  const hpa = new HpaPolicy();
  const { minReplicas, maxReplicas } = setting.hpa;
  return {
    name: 'hpa',
    decide: (ctx: ScalingContext) =>
      Math.max(
        MIN_REPLICAS,
        Math.min(
          MAX_REPLICAS,
          Math.max(minReplicas, Math.min(maxReplicas, hpa.decide({ ...ctx, minReplicas, maxReplicas }))),
        ),
      ),
  };
}

/** At least this many observations (15 min at 15 s) before a replay says anything. */
export const MIN_REPLAY_TICKS = 60;

/** Replays the demand under both settings; fails when the proposal would violate the SLO clearly more often. */
export function replayScaling(
  history: readonly Observation[],
  current: ScalingSetting,
  proposed: ScalingSetting,
  capacity?: number,
  objective: ScalingObjective = DEFAULT_SCALING_OBJECTIVE,
): CapacityFinding {
  if (history.length < MIN_REPLAY_TICKS)
    return {
      result: 'inconclusive',
      detail: `only ${history.length} observations of demand (need ${MIN_REPLAY_TICKS}) to replay`,
      evidence: [],
      warnings: [],
    };
  const rps = Float64Array.from(history.map((o) => o.rps));
  const cap = capacity && capacity > 0 ? capacity : capacityPerReplica(rps);
  const before = scoreTimeline(simulate(rps, policyFor(current), cap));
  const after = scoreTimeline(simulate(rps, policyFor(proposed), cap));
  const line = (name: string, s: typeof before) =>
    `${name}: SLO violations ${s.sloViolationPct.toFixed(1)} % of ticks, ${s.replicaHours.toFixed(2)} replica-hours`;
  const evidence = [
    `replayed ${history.length} observations (${Math.round((history.length * 15) / 60)} min)`,
    line('current', before),
    line('proposed', after),
    `objective: ${objective}`,
  ];
  const summary = `${after.sloViolationPct.toFixed(1)} % violations (now ${before.sloViolationPct.toFixed(1)} %), ${after.replicaHours.toFixed(2)} replica-hours (now ${before.replicaHours.toFixed(2)})`;
  // Both settings are replayed on the same ticks, so the percentages compare tick counts exactly.
  if (after.sloViolationPct > before.sloViolationPct + 1e-9)
    return {
      result: 'fail',
      detail: `the proposed setting violates the SLO more often on the recorded demand: ${summary}`,
      evidence,
      warnings: [],
    };
  const costlier = after.replicaHours > before.replicaHours * (1 + 1e-9);
  if (costlier && objective === 'cost')
    return {
      result: 'fail',
      detail: `the objective is cost and the proposed setting costs more replica-hours on the recorded demand: ${summary}`,
      evidence,
      warnings: [],
    };
  return {
    result: 'pass',
    detail: `on the recorded demand: ${summary}${costlier ? '; the objective is availability, so the extra replica-hours are accepted' : ''}`,
    evidence,
    warnings: [],
  };
}
