// Failed Jobs: the backoff limit or deadline was reached; the last container's exit code and
// message say why its pods failed. An OOM kill gets a memory limit proposal.
import type { Job } from '../model/resources';
import type { SpecEdit, SuggestedFix } from '../model/rootCause';
import { parseBytes } from '../model/quantity';
import { clip, condition, namedItem } from '../detect/support';
import { refOf } from '../model/objectRef';
import { exitMeaning } from './crashRule';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { containerPath, diagnosis, memoryQuantity, prefixFor, q, roundUpMemory, type Diagnosis } from './ruleSupport';
import { logEvidence, loggedError } from './logEvidence';

function jobOf(ctx: DiagnoseContext): Job | undefined {
  const { snapshot, incident } = ctx;
  if (incident.workload.kind === 'Job') return snapshot.get('Job', incident.workload.namespace, incident.workload.name);
  const fromEvidence = incident.evidence.find((e) => e.source.kind === 'Job');
  if (fromEvidence) return snapshot.get('Job', fromEvidence.source.namespace, fromEvidence.source.name);
  const cj = snapshot.get('CronJob', incident.workload.namespace, incident.workload.name);
  return cj
    ? snapshot.ownedBy('Job', cj.meta.uid).sort((a, b) => b.meta.createdAt.localeCompare(a.meta.createdAt))[0]
    : undefined;
}

function diagnoseJob(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  const job = jobOf(ctx);
  if (!job) return undefined;
  const failed = condition(job.conditions, 'Failed');
  const reason = failed?.reason ?? 'Failed';
  const prefix = prefixFor(incident.workload.kind);
  const specRoot = incident.workload.kind === 'CronJob' ? 'spec.jobTemplate.spec' : 'spec';
  const pods = snapshot.ownedBy('Pod', job.meta.uid);
  const exits = pods
    .flatMap((p) =>
      p.containerStatuses.flatMap((s) => {
        const t = s.state.terminated ?? s.lastState.terminated;
        return t && t.exitCode !== 0 ? [{ pod: p, name: s.name, t }] : [];
      }),
    )
    .sort((a, b) => (b.t.finishedAt ?? '').localeCompare(a.t.finishedAt ?? ''));
  const last = exits[0];
  const deadline = reason === 'DeadlineExceeded';
  const oom = last?.t.reason === 'OOMKilled';
  const container = last ? job.template.containers.find((c) => c.name === last.name) : undefined;
  const base = last ? containerPath(prefix, last.name) : undefined;
  const edits: SpecEdit[] = [];
  if (oom && base && container) {
    const limit = parseBytes(container.resources.limits['memory']);
    if (limit !== undefined)
      edits.push({
        path: `${base}.resources.limits.memory`,
        value: memoryQuantity(roundUpMemory(2 * limit)),
        previous: container.resources.limits['memory']!,
      });
  }
  const fields = deadline
    ? [`${specRoot}.activeDeadlineSeconds`]
    : [
        ...(oom && base ? [`${base}.resources.limits.memory`] : base ? [`${base}.command`, `${base}.args`] : []),
        `${specRoot}.backoffLimit`,
      ];
  const log = last ? logEvidence(snapshot, [last.pod, ...pods.filter((p) => p !== last.pod)], last.name) : undefined;
  const logged = loggedError(log);
  const what = last
    ? `container ${q(last.name)} ${last.t.reason === 'OOMKilled' ? 'was OOMKilled' : exitMeaning(last.t.exitCode)}${last.t.exitCode && !exitMeaning(last.t.exitCode).includes(String(last.t.exitCode)) ? ` (exit ${last.t.exitCode})` : ''}${last.t.message ? `: ${q(last.t.message, 120)}` : logged ? `: ${q(logged, 120)}` : ''}`
    : 'its pods failed';
  const fixes: (SuggestedFix | undefined)[] = [
    edits.length > 0
      ? { summary: `Double the memory limit of ${q(last!.name)} to ${edits[0]!.value}`, edits }
      : undefined,
    deadline
      ? { summary: 'Raise activeDeadlineSeconds if the work legitimately takes longer, or make it faster' }
      : { summary: `Fix the failure of ${last ? q(last.name) : 'the job'} (its logs show why), then re-run the job` },
  ];
  return diagnosis({
    category: oom ? 'memory-limit' : 'job-failure',
    summary: deadline
      ? `the job ran past its activeDeadlineSeconds and was stopped${last ? `; ${what}` : ''}`
      : `${what}, ${job.failed} time${job.failed === 1 ? '' : 's'}, reaching backoffLimit ${job.backoffLimit}`,
    explanation: `Job ${q(job.meta.name)} failed with ${q(reason, 60)}${failed?.message ? ` (${q(failed.message, 160)})` : ''}. ${job.failed} pods failed, ${job.succeeded} succeeded.`,
    confidence: deadline ? 0.8 : oom ? 0.8 : last ? 0.6 : 0.45,
    fields,
    evidence: [
      last
        ? {
            kind: 'status',
            source: refOf('Pod', last.pod.meta),
            field: `${namedItem('status.containerStatuses', last.name)}.state.terminated`,
            text: clip(
              `${last.t.reason || 'terminated'}, exit code ${last.t.exitCode}${last.t.message ? `: ${last.t.message}` : ''}`,
            ),
            reason: last.t.reason,
          }
        : undefined,
      log,
      ...incident.evidence,
    ],
    fixes,
  });
}

export const jobRule: DiagnosisRule = {
  types: ['JobFailed'],
  diagnose: diagnoseJob,
};
