// CronJobs that will not run: suspended (info), or a schedule/time zone the controller cannot parse.
// A failed latest run is reported by the JobFailed detector on the CronJob itself.
import type { Detector, DetectContext } from './detector';
import type { Finding } from '../model/incident';
import { clip, finding, oneLine } from './support';
import { refOf } from '../model/objectRef';
import { isValidTimeZone, validateCronSchedule } from './cronSchedule';

export const cronJobSuspendedOrInvalidDetector: Detector = {
  types: ['CronJobSuspendedOrInvalid'],
  detect({ snapshot }: DetectContext): Finding[] {
    const out: Finding[] = [];
    for (const cj of snapshot.list('CronJob')) {
      const ref = refOf('CronJob', cj.meta);
      const scheduleEvidence = {
        kind: 'spec' as const,
        source: ref,
        field: 'spec.schedule',
        text: clip(`schedule "${cj.schedule}"${cj.timeZone ? `, timeZone ${cj.timeZone}` : ''}`),
      };
      const lastRun = cj.lastScheduleTime
        ? {
            kind: 'status' as const,
            source: ref,
            field: 'status.lastScheduleTime',
            text: `last scheduled ${cj.lastScheduleTime}${cj.lastSuccessfulTime ? `, last success ${cj.lastSuccessfulTime}` : ''}`,
            lastSeen: cj.lastScheduleTime,
          }
        : undefined;
      if (cj.suspend) {
        out.push(
          finding(
            'CronJobSuspendedOrInvalid',
            'info',
            ref,
            `CronJob ${oneLine(cj.meta.name)} is suspended: no new runs${cj.lastScheduleTime ? ` since ${cj.lastScheduleTime}` : ''}`,
            [{ kind: 'spec', source: ref, field: 'spec.suspend', text: 'suspend: true' }, scheduleEvidence, lastRun],
            'suspended',
          ),
        );
      }
      const check = validateCronSchedule(cj.schedule);
      if (!check.ok) {
        out.push(
          finding(
            'CronJobSuspendedOrInvalid',
            'warning',
            ref,
            `CronJob ${oneLine(cj.meta.name)} has an invalid schedule "${oneLine(cj.schedule, 80)}": ${oneLine(check.error, 160)}`,
            [{ ...scheduleEvidence, reason: 'InvalidSchedule' }, lastRun],
            'schedule',
          ),
        );
      }
      if (cj.timeZone && !isValidTimeZone(cj.timeZone)) {
        out.push(
          finding(
            'CronJobSuspendedOrInvalid',
            'warning',
            ref,
            `CronJob ${oneLine(cj.meta.name)} names an unknown time zone "${oneLine(cj.timeZone, 64)}"`,
            [
              {
                kind: 'spec',
                source: ref,
                field: 'spec.timeZone',
                text: clip(`timeZone ${cj.timeZone}`),
                reason: 'UnknownTimeZone',
              },
            ],
            'timeZone',
          ),
        );
      }
    }
    return out;
  },
};
