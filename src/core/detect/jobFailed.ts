// Jobs that gave up (Failed=True: backoff limit or deadline exceeded). For a CronJob only its most
// recent Job counts, reported on the CronJob so repeated failures stay one incident.
import type { Detector, DetectContext } from './detector';
import type { Finding } from '../model/incident';
import type { Job } from '../model/resources';
import { clip, condition, conditionEvidence, eventEvidence, namedItem, finding, oneLine } from './support';
import { refOf } from '../model/objectRef';
import { podListEvidence } from './pods';

function newestJob(jobs: readonly Job[]): Job | undefined {
  return [...jobs].sort((a, b) => (b.startTime ?? b.meta.createdAt).localeCompare(a.startTime ?? a.meta.createdAt))[0];
}

export const jobFailedDetector: Detector = {
  types: ['JobFailed'],
  detect({ snapshot }: DetectContext): Finding[] {
    const out: Finding[] = [];
    for (const job of snapshot.list('Job')) {
      const failed = condition(job.conditions, 'Failed');
      if (failed?.status !== 'True') continue;
      const owner = snapshot.ownerOf(job.meta, 'Job');
      const viaCron = owner.kind === 'CronJob';
      if (viaCron && owner.uid && newestJob(snapshot.ownedBy('Job', owner.uid)) !== job) continue;
      const jobRef = refOf('Job', job.meta);
      const workload = viaCron ? owner : jobRef;
      const pods = snapshot.ownedBy('Pod', job.meta.uid);
      const exits = pods.flatMap((p) =>
        p.containerStatuses.flatMap((s) =>
          s.state.terminated && s.state.terminated.exitCode !== 0
            ? [{ pod: p, t: s.state.terminated, name: s.name }]
            : [],
        ),
      );
      const last = exits.sort((a, b) => (b.t.finishedAt ?? '').localeCompare(a.t.finishedAt ?? ''))[0];
      const reason = failed.reason ?? 'Failed';
      const summary = `${viaCron ? `The latest run of CronJob ${oneLine(owner.name)} (Job ${oneLine(job.meta.name)})` : `Job ${oneLine(job.meta.name)}`} failed: ${oneLine(reason, 60)}${failed.message ? ` (${oneLine(failed.message, 120)})` : ''}, ${job.failed} failed pods${last ? `, last container ${oneLine(last.name)} exited ${oneLine(last.t.reason, 40) || 'with'} code ${last.t.exitCode}` : ''}`;
      out.push(
        finding('JobFailed', 'critical', workload, summary, [
          conditionEvidence(jobRef, failed),
          {
            kind: 'status',
            source: jobRef,
            field: 'status.failed',
            text: `failed ${job.failed}, succeeded ${job.succeeded}, active ${job.active}; backoffLimit ${job.backoffLimit}, completions ${job.completions}`,
            count: job.failed,
          },
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
          podListEvidence(
            pods.filter((p) => p.phase === 'Failed'),
            (p) => p.reason ?? 'Failed',
          ),
          ...snapshot
            .eventsFor('Job', job.meta.namespace, job.meta.name)
            .filter((e) => e.type === 'Warning')
            .slice(0, 2)
            .map(eventEvidence),
        ]),
      );
    }
    return out;
  },
};
