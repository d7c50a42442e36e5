// Containers that failed outside an app container's crash loop: init containers that exit with an
// error (Init:Error, Init:CrashLoopBackOff), sidecars that keep failing, bare pods and
// restartPolicy Never pods that ended Failed, and Jobs still retrying below their backoff limit.
// Incidents live on the top-level owner (the Job or CronJob for Job pods, the pod for bare pods).
import type { Detector, DetectContext } from './detector';
import type { Finding } from '../model/incident';
import type { ContainerStatus, ContainerState, Pod } from '../model/resources';
import { clip, condition, finding, oneLine, plural, within } from './support';
import { refOf } from '../model/objectRef';
import {
  containerSpecOf,
  containerStatuses,
  groupByWorkload,
  PodIndex,
  podListEvidence,
  podsPhrase,
  statusField,
} from './pods';

/** A sidecar restart older than this is history, not an ongoing failure. */
export const SIDECAR_FAILURE_WINDOW_MS = 10 * 60 * 1000;
/**
 * An init container or sidecar that failed once and was retried is often just waiting for a
 * dependency; failing again (the kubelet then backs off) is no longer in passing.
 */
export const MIN_RESTARTS = 2;
/** Owners that replace failed pods themselves (their failures show as other incidents). */
const REPLACING_OWNERS = ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ReplicationController'];

export type FailureKind = 'init' | 'sidecar' | 'pod' | 'job-retry';

export interface ContainerFailure {
  kind: FailureKind;
  status: ContainerStatus;
  init: boolean;
  /** The failed run: the current terminated state, else the last one. */
  exit: NonNullable<ContainerState['terminated']>;
}

function failedRun(status: ContainerStatus): ContainerFailure['exit'] | undefined {
  const t = status.state.terminated ?? status.lastState.terminated;
  return t && t.exitCode !== 0 ? t : undefined;
}

function isSidecar(pod: Pod, name: string): boolean {
  return containerSpecOf(pod, name, true)?.restartPolicy === 'Always';
}

/** Finished Jobs are reported by JobFailed (gave up) or are fine (completed after a retry). */
function jobFinished(ctx: DetectContext, pod: Pod): boolean {
  const owner = pod.meta.owners.find((o) => o.controller) ?? pod.meta.owners[0];
  if (owner?.kind !== 'Job') return false;
  const job = ctx.snapshot.get('Job', pod.meta.namespace, owner.name);
  return (
    !job ||
    ['Complete', 'Failed', 'SuccessCriteriaMet', 'FailureTarget'].some(
      (t) => condition(job.conditions, t)?.status === 'True',
    )
  );
}

/** The failures one pod shows, each keyed by container name. */
export function podFailures(ctx: DetectContext, pod: Pod, ownerKind: string): ContainerFailure[] {
  if (pod.meta.deletedAt || pod.reason === 'Evicted') return [];
  const out: ContainerFailure[] = [];
  if (pod.phase === 'Failed') {
    if (REPLACING_OWNERS.includes(ownerKind) || jobFinished(ctx, pod)) return [];
    const failed = containerStatuses(pod)
      .map(({ status, init }) => ({ status, init, exit: failedRun(status) }))
      .find((x) => x.exit !== undefined);
    if (failed)
      out.push({
        kind: pod.meta.owners.some((o) => o.kind === 'Job') ? 'job-retry' : 'pod',
        status: failed.status,
        init: failed.init,
        exit: failed.exit!,
      });
    return out;
  }
  if (pod.phase === 'Succeeded') return [];
  for (const status of pod.initContainerStatuses) {
    const exit = failedRun(status);
    if (!exit) continue;
    if (isSidecar(pod, status.name)) {
      const recent =
        status.state.waiting?.reason === 'CrashLoopBackOff' ||
        within(exit.finishedAt, ctx.now, SIDECAR_FAILURE_WINDOW_MS);
      if (status.restartCount >= MIN_RESTARTS && recent) out.push({ kind: 'sidecar', status, init: true, exit });
    } else if (
      !status.state.running &&
      (status.restartCount >= MIN_RESTARTS || status.state.waiting?.reason === 'CrashLoopBackOff')
    ) {
      out.push({ kind: 'init', status, init: true, exit });
    }
  }
  return out;
}

function stateWord(f: ContainerFailure): string {
  const waiting = f.status.state.waiting?.reason;
  if (f.kind === 'init') return waiting === 'CrashLoopBackOff' ? 'Init:CrashLoopBackOff' : 'Init:Error';
  if (f.kind === 'sidecar') return waiting ?? (f.status.state.terminated ? 'Error' : 'restarted');
  return 'Failed';
}

function exitText(f: ContainerFailure): string {
  return `${f.exit.reason || 'Error'}, exit code ${f.exit.exitCode}${f.exit.message ? `: ${f.exit.message}` : ''}`;
}

export const containerFailedDetector: Detector = {
  types: ['ContainerFailed'],
  detect(ctx: DetectContext): Finding[] {
    const index = PodIndex.of(ctx.snapshot);
    const groups = groupByWorkload<ContainerFailure>(index, (pod) =>
      podFailures(ctx, pod, index.ownerOf(pod).kind).map((f) => ({ key: f.status.name, detail: f })),
    );
    return groups.map((group) => {
      const hits = [...group.hits].sort((a, b) =>
        (b.detail.exit.finishedAt ?? '').localeCompare(a.detail.exit.finishedAt ?? ''),
      );
      const latest = hits[0]!;
      const f = latest.detail;
      const name = oneLine(f.status.name);
      const restarts = Math.max(...hits.map((h) => h.detail.status.restartCount));
      const owner = group.workload;
      const job = owner.kind === 'Job' ? ctx.snapshot.get('Job', owner.namespace, owner.name) : undefined;
      const exit = `${oneLine(f.exit.reason, 40) || 'Error'} (exit ${f.exit.exitCode})`;
      let summary: string;
      let severity: Finding['severity'] = 'critical';
      switch (f.kind) {
        case 'init':
          summary = `${podsPhrase(index, owner, hits.length)} cannot initialize: init container ${name} failed, ${exit}${restarts > 0 ? `, ${plural(restarts, 'restart')}` : ''}`;
          break;
        case 'sidecar':
          summary = `${podsPhrase(index, owner, hits.length)}: sidecar ${name} keeps failing, ${exit}, ${plural(restarts, 'restart')}`;
          severity = index.readyOf(owner) === 0 ? 'critical' : 'warning';
          break;
        case 'job-retry':
          summary = `${owner.kind} ${oneLine(owner.name)} is retrying: ${plural(hits.length, 'pod')} failed${job ? ` (${job.failed} of backoffLimit ${job.backoffLimit})` : ''}, container ${name} ${exit}`;
          severity = 'warning';
          break;
        default:
          summary = `pod ${oneLine(latest.pod.meta.name)} failed (restartPolicy ${oneLine(latest.pod.spec.restartPolicy, 20)}): ${f.init ? 'init ' : ''}container ${name} ${exit}`;
      }
      const podRef = refOf('Pod', latest.pod.meta);
      const statusPath = f.status.state.terminated ? 'state.terminated' : 'lastState.terminated';
      return finding(
        'ContainerFailed',
        severity,
        owner,
        summary,
        [
          {
            kind: 'status',
            source: podRef,
            field: statusField(f.status.name, statusPath, f.init),
            text: clip(exitText(f)),
            reason: f.exit.reason || 'Error',
            ...(f.exit.finishedAt ? { lastSeen: f.exit.finishedAt } : {}),
          },
          podListEvidence(
            hits.map((h) => h.pod),
            (p) => stateWord(hits.find((h) => h.pod === p)!.detail),
          ),
          job
            ? {
                kind: 'status',
                source: refOf('Job', job.meta),
                field: 'status.failed',
                text: `failed ${job.failed}, succeeded ${job.succeeded}, active ${job.active}; backoffLimit ${job.backoffLimit}`,
                count: job.failed,
              }
            : undefined,
        ],
        f.status.name,
      );
    });
  },
};
