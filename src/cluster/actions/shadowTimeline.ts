// The shadow pod's timeline: what happened to it, step by step, from the pod as the API server
// returns it and the Warning events recorded about it. Pure (raw JSON in, entries out), so it is
// built the same way on each poll and merged: a step seen again is not repeated.
import type { ShadowStep, ShadowTimelineEntry } from '../../core/model/proposal';

type Obj = Record<string, any>;

/** Waiting reasons that are the normal way up, not worth a line of their own. */
const QUIET_WAITING = new Set(['ContainerCreating', 'PodInitializing']);

const iso = (value: unknown, fallback: string): string =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? new Date(Date.parse(value)).toISOString() : fallback;

const entry = (at: string, step: ShadowStep, text: string, key: string): ShadowTimelineEntry => ({
  at,
  step,
  text,
  key,
});

/** The steps the pod's status shows now; `seenAt` dates what the status does not (a waiting reason). */
export function podSteps(pod: Obj, seenAt: string): ShadowTimelineEntry[] {
  const meta = (pod['metadata'] ?? {}) as Obj;
  const status = (pod['status'] ?? {}) as Obj;
  const out: ShadowTimelineEntry[] = [];
  const name = String(meta['name'] ?? 'shadow pod');
  // Readiness goes after the containers: at the same second, a container ends and then the pod is not Ready.
  const readiness: ShadowTimelineEntry[] = [];
  out.push(entry(iso(meta['creationTimestamp'], seenAt), 'created', `pod ${name} created`, 'created'));
  for (const c of (status['conditions'] ?? []) as Obj[]) {
    const at = iso(c['lastTransitionTime'], seenAt);
    if (c['type'] === 'PodScheduled' && c['status'] === 'True') {
      const node = typeof pod['spec']?.['nodeName'] === 'string' ? ` on node ${pod['spec']['nodeName']}` : '';
      out.push(entry(at, 'scheduled', `scheduled${node}`, 'scheduled'));
    }
    if (c['type'] === 'Ready')
      readiness.push(
        c['status'] === 'True'
          ? entry(at, 'ready', 'Ready', `ready:${at}`)
          : entry(at, 'notReady', `not Ready${c['reason'] ? ` (${String(c['reason'])})` : ''}`, `notReady:${at}`),
      );
  }
  for (const c of [
    ...((status['initContainerStatuses'] ?? []) as Obj[]),
    ...((status['containerStatuses'] ?? []) as Obj[]),
  ]) {
    const container = String(c['name'] ?? '?');
    const running = c['state']?.['running'];
    if (running)
      out.push(
        entry(
          iso(running['startedAt'], seenAt),
          'started',
          `container ${container} started`,
          `started:${container}:${String(running['startedAt'] ?? '')}`,
        ),
      );
    for (const t of [c['lastState']?.['terminated'], c['state']?.['terminated']] as (Obj | undefined)[]) {
      if (!t) continue;
      const at = iso(t['finishedAt'], seenAt);
      const reason = String(t['reason'] ?? 'Terminated');
      const exit = t['exitCode'] !== undefined ? `, exit code ${String(t['exitCode'])}` : '';
      out.push(
        reason === 'OOMKilled'
          ? entry(at, 'oomKilled', `container ${container} OOMKilled${exit}`, `terminated:${container}:${at}`)
          : entry(
              at,
              'terminated',
              `container ${container} terminated: ${reason}${exit}`,
              `terminated:${container}:${at}`,
            ),
      );
    }
    const restarts = Number(c['restartCount'] ?? 0);
    if (restarts > 0)
      out.push(
        entry(
          iso(c['lastState']?.['terminated']?.['finishedAt'], seenAt),
          'restarted',
          `container ${container} restarted (${restarts} restart${restarts === 1 ? '' : 's'})`,
          `restarted:${container}:${restarts}`,
        ),
      );
    const waiting = c['state']?.['waiting'];
    const reason = typeof waiting?.['reason'] === 'string' ? waiting['reason'] : undefined;
    if (reason && !QUIET_WAITING.has(reason))
      out.push(
        entry(
          seenAt,
          'waiting',
          `container ${container} waiting: ${reason}${waiting['message'] ? ` — ${String(waiting['message'])}` : ''}`,
          `waiting:${container}:${reason}:${restarts}`,
        ),
      );
  }
  out.push(...readiness);
  if (status['phase'] === 'Failed')
    out.push(
      entry(seenAt, 'terminated', `pod failed${status['reason'] ? `: ${String(status['reason'])}` : ''}`, 'podFailed'),
    );
  return out;
}

/** The Warning events about the pod (FailedScheduling, BackOff, Unhealthy, FailedMount…), with their counts. */
export function eventSteps(events: readonly Obj[], seenAt: string): ShadowTimelineEntry[] {
  return events
    .filter((e) => e['type'] === 'Warning')
    .map((e) => {
      const reason = String(e['reason'] ?? 'Warning');
      const count = Number(e['count'] ?? e['series']?.['count'] ?? 1);
      const message = String(e['message'] ?? e['note'] ?? '').trim();
      const at = iso(e['firstTimestamp'] ?? e['eventTime'] ?? e['metadata']?.['creationTimestamp'], seenAt);
      return entry(
        at,
        'warning',
        `${reason}${count > 1 ? ` ×${count}` : ''}${message ? `: ${message}` : ''}`,
        `warning:${reason}:${message}`,
      );
    });
}

/** The shadow could not be created (quota, admission, validation): the whole timeline. */
export function failedCreateStep(message: string, at: string): ShadowTimelineEntry {
  return entry(at, 'failedCreate', `FailedCreate: ${message}`, 'failedCreate');
}

export function removedStep(name: string, at: string, confirmed: boolean): ShadowTimelineEntry {
  return entry(
    at,
    'removed',
    confirmed ? `pod ${name} deleted (confirmed gone)` : `pod ${name} deleted (not yet confirmed gone)`,
    'removed',
  );
}

/**
 * Adds what is new to a timeline: a key seen before keeps its first time but takes the newer text
 * (an event's count grows), and the result is in time order (ties keep the order they were seen in).
 */
export function mergeTimeline(
  previous: readonly ShadowTimelineEntry[],
  seen: readonly ShadowTimelineEntry[],
): ShadowTimelineEntry[] {
  const byKey = new Map(previous.map((e) => [e.key, e]));
  for (const e of seen) {
    const old = byKey.get(e.key);
    byKey.set(e.key, old ? { ...old, text: e.text } : e);
  }
  return [...byKey.values()]
    .map((e, i) => ({ e, i }))
    .sort((a, b) => Date.parse(a.e.at) - Date.parse(b.e.at) || a.i - b.i)
    .map(({ e }) => e);
}

/** True when the two timelines show the same steps with the same text (nothing to report). */
export function sameTimeline(a: readonly ShadowTimelineEntry[], b: readonly ShadowTimelineEntry[]): boolean {
  return a.length === b.length && a.every((e, i) => e.key === b[i]!.key && e.text === b[i]!.text);
}
