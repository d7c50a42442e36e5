// CronJobs that will not run: suspended (spec.suspend), or a schedule or time zone the controller
// cannot parse.
import { validateCronSchedule } from '../detect/cronSchedule';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { diagnosis, q, type Diagnosis } from './ruleSupport';

function diagnoseCronJob(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  const cj = snapshot.get('CronJob', incident.workload.namespace, incident.workload.name);
  if (!cj) return undefined;
  const key = incident.key ?? (cj.suspend ? 'suspended' : 'schedule');
  if (key === 'suspended') {
    return diagnosis({
      category: 'cronjob-config',
      summary: `spec.suspend is true: CronJob ${q(cj.meta.name)} starts no new runs${cj.lastScheduleTime ? ` (last run ${q(cj.lastScheduleTime, 40)})` : ''}`,
      explanation:
        'A suspended CronJob keeps its schedule but the controller creates no Jobs until it is resumed. This is often deliberate (maintenance); resume it when that is over.',
      confidence: 0.95,
      fields: ['spec.suspend'],
      evidence: incident.evidence,
      fixes: [
        {
          summary: `Resume CronJob ${q(cj.meta.name)}`,
          edits: [{ path: 'spec.suspend', value: false, previous: true }],
        },
      ],
    });
  }
  if (key === 'timeZone') {
    return diagnosis({
      category: 'cronjob-config',
      summary: `time zone ${q(cj.timeZone, 64)} is not a known IANA zone, so CronJob ${q(cj.meta.name)} is not scheduled`,
      explanation: 'spec.timeZone must name a zone of the tz database, such as "Europe/Berlin" or "Etc/UTC".',
      confidence: 0.9,
      fields: ['spec.timeZone'],
      evidence: incident.evidence,
      fixes: [
        {
          summary: 'Set spec.timeZone to a tz database name, e.g. Etc/UTC',
          edits: [{ path: 'spec.timeZone', value: 'Etc/UTC', ...(cj.timeZone ? { previous: cj.timeZone } : {}) }],
        },
      ],
    });
  }
  const check = validateCronSchedule(cj.schedule);
  return diagnosis({
    category: 'cronjob-config',
    summary: `schedule "${q(cj.schedule, 80)}" is invalid${check.ok ? '' : `: ${q(check.error, 160)}`}, so CronJob ${q(cj.meta.name)} never runs`,
    explanation:
      'spec.schedule takes five fields (minute hour day-of-month month day-of-week) or a macro such as @hourly; the controller skips a CronJob whose schedule it cannot parse.',
    confidence: check.ok ? 0.5 : 0.9,
    fields: ['spec.schedule'],
    evidence: incident.evidence,
    fixes: [{ summary: 'Correct spec.schedule to five cron fields, e.g. "*/5 * * * *"' }],
  });
}

export const cronJobRule: DiagnosisRule = {
  types: ['CronJobSuspendedOrInvalid'],
  diagnose: diagnoseCronJob,
};
