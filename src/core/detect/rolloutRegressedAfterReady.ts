// A rollout that completed and then fails: the new pods passed readiness, the Deployment scaled the
// previous revision to zero, and only then did the new pods start crashing. The previous revision
// was serving until the rollout minutes ago, so this is a rollout regression (fix: the rollback),
// not a plain crash loop. The in-progress case lives in rolloutRegression.ts, whose detector (the
// one for the RolloutRegression type) includes these findings.
import type { DetectContext } from './detector';
import type { Finding } from '../model/incident';
import type { Pod, ReplicaSet } from '../model/resources';
import type { ClusterSnapshot } from '../model/snapshot';
import type { Workload } from '../model/workload';
import { clip, formatDuration, ageMs, finding, oneLine } from './support';
import { refOf, workloadRef } from '../model/objectRef';
import { containerStatuses, podListEvidence } from './pods';
import { imagesOf } from './rolloutStuck';

/** Container-by-container differences between two pod templates, e.g. "api: shop/api:1.4 → shop/api:1.5". */
export function templateDiff(previous: ReplicaSet, current: ReplicaSet): string[] {
  const diffs: string[] = [];
  for (const c of current.template.containers) {
    const old = previous.template.containers.find((p) => p.name === c.name);
    if (!old) diffs.push(`${c.name}: added (${c.image})`);
    else if (old.image !== c.image) diffs.push(`${c.name}: ${old.image} → ${c.image}`);
    else if (JSON.stringify(old.resources) !== JSON.stringify(c.resources)) diffs.push(`${c.name}: resources changed`);
    else if (JSON.stringify([old.command, old.args, old.env]) !== JSON.stringify([c.command, c.args, c.env]))
      diffs.push(`${c.name}: command/args/env changed`);
  }
  for (const p of previous.template.containers)
    if (!current.template.containers.some((c) => c.name === p.name)) diffs.push(`${p.name}: removed`);
  return diffs;
}

/** How long after a rollout a crash of the new revision is still blamed on it. */
export const REGRESSION_AFTER_ROLLOUT_MS = 60 * 60 * 1000;
const CRASH_REASONS = ['CrashLoopBackOff'];

/** Why a pod of the new revision is failing after it started: its container crash-loops or restarted on an error. */
function crashing(pod: Pod): string | undefined {
  for (const { status } of containerStatuses(pod)) {
    const waiting = status.state.waiting?.reason;
    if (waiting && CRASH_REASONS.includes(waiting)) return `${status.name}: ${waiting}`;
    const last = status.lastState.terminated;
    if (status.restartCount >= 2 && last && last.exitCode !== 0)
      return `${status.name}: ${last.reason || 'Error'} (exit ${last.exitCode}), ${status.restartCount} restarts`;
  }
  return undefined;
}

export interface CompletedRegression {
  current: ReplicaSet;
  previous: ReplicaSet;
  failing: { pod: Pod; why: string }[];
  pods: Pod[];
  diff: string[];
}

/**
 * The newest revision of a Deployment rolled out within the window, the one before it was scaled
 * to zero by that rollout, the template changed between them, and new pods now crash.
 */
export function completedRegression(
  snapshot: ClusterSnapshot,
  d: Workload,
  now: Date,
): CompletedRegression | undefined {
  if (d.desired <= 0) return undefined;
  const sets = snapshot
    .ownedBy('ReplicaSet', d.uid)
    .filter((rs) => rs.revision > 0)
    .sort((a, b) => b.revision - a.revision);
  const [current, previous] = sets;
  if (!current || !previous || current.desired <= 0) return undefined;
  if (previous.desired !== 0 || previous.ready > 0 || previous.available > 0) return undefined;
  const age = ageMs(current.meta.createdAt, now);
  if (age === undefined || age > REGRESSION_AFTER_ROLLOUT_MS) return undefined;
  const diff = templateDiff(previous, current);
  if (diff.length === 0) return undefined;
  const pods = snapshot.ownedBy('Pod', current.meta.uid).filter((p) => !p.meta.deletedAt);
  const failing = pods
    .map((pod) => ({ pod, why: crashing(pod) }))
    .filter((x): x is { pod: Pod; why: string } => x.why !== undefined);
  if (failing.length === 0) return undefined;
  return { current, previous, failing, pods, diff };
}

/** RolloutRegression findings for Deployments whose completed rollout crashes afterwards. */
export function completedRegressionFindings({ snapshot, now }: DetectContext): Finding[] {
  const out: Finding[] = [];
  for (const d of snapshot.list('Deployment')) {
    const found = completedRegression(snapshot, d, now);
    if (!found) continue;
    const { current, previous, failing, pods, diff } = found;
    const since = formatDuration(ageMs(current.meta.createdAt, now) ?? 0);
    const ref = workloadRef(d);
    const summary = `Revision ${current.revision} of ${oneLine(d.name)} crashes after its rollout ${since} ago (${failing.length} of ${pods.length} new pods) while revision ${previous.revision} served until the rollout scaled it to 0; changed ${oneLine(diff[0], 160)}`;
    out.push(
      finding('RolloutRegression', d.ready === 0 ? 'critical' : 'warning', ref, summary, [
        {
          kind: 'revision',
          source: refOf('ReplicaSet', current.meta),
          field: "metadata.annotations['deployment.kubernetes.io/revision']",
          text: clip(
            `new revision ${current.revision}, rolled out ${since} ago: ${current.ready} of ${current.desired} ready; ${imagesOf(current)}`,
          ),
          count: current.ready,
          firstSeen: current.meta.createdAt,
        },
        {
          kind: 'revision',
          source: refOf('ReplicaSet', previous.meta),
          field: 'spec.replicas',
          text: clip(`previous revision ${previous.revision}: scaled to 0 by the rollout; ${imagesOf(previous)}`),
          count: 0,
        },
        { kind: 'spec', source: ref, field: 'spec.template', text: clip(`changes: ${diff.join('; ')}`) },
        podListEvidence(
          failing.map((f) => f.pod),
          (p) => failing.find((f) => f.pod === p)!.why,
        ),
      ]),
    );
  }
  return out;
}
