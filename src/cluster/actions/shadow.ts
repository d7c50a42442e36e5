// The shadow check: one ownerless Pod built from the patched template, in the target's namespace
// (same Secrets, ConfigMaps, quotas), with every label replaced so no Service, PDB or controller
// selects it, an activeDeadlineSeconds, and holder/expiry labels renewed while it runs. It is judged
// over a fixed window — scheduled, started, Ready, no restarts, no OOMKilled — then deleted, and the
// deletion confirmed, before the check returns. Its timeline (created, scheduled, started, Ready,
// restarts, OOMKilled, warnings, removed) is reported as it grows and kept with the result. A sweep
// removes shadows a crash left behind.
import { hostname } from 'node:os';
import type { CheckResult, ShadowTimelineEntry } from '../../core/model/proposal';
import { ApiClient, isOk, messageOf, objectPath } from './apiClient';
import { eventSteps, failedCreateStep, mergeTimeline, podSteps, removedStep, sameTimeline } from './shadowTimeline';

type Obj = Record<string, any>;

export const SHADOW_LABEL = 'nimbusguard.dev/shadow';
export const SHADOW_OF_LABEL = 'nimbusguard.dev/shadow-of';
export const SHADOW_HOLDER_LABEL = 'nimbusguard.dev/shadow-holder';
export const SHADOW_EXPIRES_LABEL = 'nimbusguard.dev/shadow-expires';
const SHADOW_FIELD_MANAGER = 'nimbusguard-shadow';
const MIN_WINDOW_S = 30;
const MAX_WINDOW_S = 180;
const LEASE_S = 60;

/** This process as a label value: host and pid, so a sweep on this host can tell whether it is gone. */
export function holderId(): string {
  const host =
    hostname()
      .toLowerCase()
      .replace(/[^a-z0-9.-]/g, '-')
      .replace(/^[^a-z0-9]+/, '')
      .slice(0, 40) || 'host';
  return `${host}.${process.pid}`;
}

function holderAlive(holder: string): boolean {
  const mine = holderId();
  const host = mine.slice(0, mine.lastIndexOf('.'));
  const dot = holder.lastIndexOf('.');
  if (dot < 0 || holder.slice(0, dot) !== host) return true; // another machine: only expiry can tell
  const pid = Number(holder.slice(dot + 1));
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why a template cannot be shadowed safely (shared RWO volume, host ports or network), if it cannot. */
export function shadowObstacle(template: Obj, rwoClaims: ReadonlySet<string>): string | undefined {
  const spec = (template['spec'] ?? {}) as Obj;
  if (spec['hostNetwork'] === true) return 'the pod uses the host network';
  for (const c of [...(spec['containers'] ?? []), ...(spec['initContainers'] ?? [])] as Obj[]) {
    if (((c['ports'] ?? []) as Obj[]).some((p) => p['hostPort']))
      return `container ${String(c['name'])} binds a host port`;
  }
  for (const v of (spec['volumes'] ?? []) as Obj[]) {
    const claim = v['persistentVolumeClaim']?.['claimName'];
    if (claim && rwoClaims.has(String(claim)))
      return `volume ${String(v['name'])} is a ReadWriteOnce claim the real pods hold`;
  }
  return undefined;
}

/** The window: max(30 s, twice the failing pods' observed time to failure), capped. */
export function shadowWindowSeconds(timeToFailureSeconds: readonly number[]): number {
  const worst = timeToFailureSeconds.filter((s) => Number.isFinite(s) && s > 0);
  const t = worst.length > 0 ? 2 * Math.max(...worst) : 0;
  return Math.min(MAX_WINDOW_S, Math.max(MIN_WINDOW_S, Math.ceil(t)));
}

export function shadowPod(
  namespace: string,
  ownerName: string,
  template: Obj,
  windowSeconds: number,
  now: number,
): Obj {
  const t = structuredClone(template) as Obj;
  const spec = (t['spec'] ?? {}) as Obj;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${ownerName.slice(0, 40)}-ng-shadow-`,
      namespace,
      labels: {
        [SHADOW_LABEL]: 'true',
        [SHADOW_OF_LABEL]: ownerName.slice(0, 63),
        [SHADOW_HOLDER_LABEL]: holderId(),
        [SHADOW_EXPIRES_LABEL]: String(Math.floor(now / 1000) + windowSeconds + LEASE_S),
      },
      annotations: {
        ...(t['metadata']?.['annotations'] ?? {}),
        'nimbusguard.dev/shadow-note':
          'A copy of the workload with a proposed change, verified by NimbusGuard; deleted when the check ends.',
      },
    },
    spec: { ...spec, activeDeadlineSeconds: windowSeconds + LEASE_S },
  };
}

interface Seen {
  scheduled: boolean;
  started: boolean;
  readyAt?: number;
  restarts: number;
  oomKilled: boolean;
  waiting: string[];
  phase: string;
}

function observe(pod: Obj, since: number): Seen {
  const status = (pod['status'] ?? {}) as Obj;
  const statuses = (status['containerStatuses'] ?? []) as Obj[];
  const ready = ((status['conditions'] ?? []) as Obj[]).some((c) => c['type'] === 'Ready' && c['status'] === 'True');
  return {
    scheduled: ((status['conditions'] ?? []) as Obj[]).some(
      (c) => c['type'] === 'PodScheduled' && c['status'] === 'True',
    ),
    started: statuses.some((c) => c['state']?.['running']),
    ...(ready ? { readyAt: Date.now() - since } : {}),
    restarts: statuses.reduce((s, c) => s + Number(c['restartCount'] ?? 0), 0),
    oomKilled: statuses.some(
      (c) =>
        c['lastState']?.['terminated']?.['reason'] === 'OOMKilled' ||
        c['state']?.['terminated']?.['reason'] === 'OOMKilled',
    ),
    waiting: statuses
      .map((c) => c['state']?.['waiting']?.['reason'])
      .filter((r): r is string => typeof r === 'string' && r !== 'ContainerCreating' && r !== 'PodInitializing'),
    phase: String(status['phase'] ?? 'Pending'),
  };
}

export interface ShadowInput {
  namespace: string;
  ownerName: string;
  template: Obj;
  /** The failing pods' observed time to failure, in seconds (sets the window). */
  timeToFailure: number[];
  /** What the failing pods showed, for the comparison line. */
  failingSummary: string;
}

export class ShadowRunner {
  constructor(private readonly api: ApiClient) {}

  /**
   * Runs the check. `onTimeline` receives the shadow pod's whole timeline each time it grows; the
   * result carries the final one.
   */
  async run(
    input: ShadowInput,
    signal?: AbortSignal,
    onTimeline?: (timeline: ShadowTimelineEntry[]) => void,
  ): Promise<CheckResult> {
    const started = performance.now();
    const windowS = shadowWindowSeconds(input.timeToFailure);
    let timeline: ShadowTimelineEntry[] = [];
    const note = (steps: readonly ShadowTimelineEntry[]): void => {
      const next = mergeTimeline(timeline, steps);
      if (sameTimeline(next, timeline)) return;
      timeline = next;
      try {
        onTimeline?.(timeline);
      } catch {
        // A listener's failure never stops the check (the shadow must still be removed).
      }
    };
    const done = (result: CheckResult['result'], detail: string, evidence: string[]): CheckResult => ({
      name: 'shadow',
      result,
      detail,
      evidence,
      warnings: [],
      durationMs: Math.round(performance.now() - started),
      timeline,
    });
    const create = await this.api.request('POST', objectPath('Pod', input.namespace), {
      body: shadowPod(input.namespace, input.ownerName, input.template, windowS, Date.now()),
      query: { fieldManager: SHADOW_FIELD_MANAGER, fieldValidation: 'Strict' },
    });
    if (!isOk(create)) {
      note([failedCreateStep(messageOf(create), new Date().toISOString())]);
      return done(
        create.status === 403 && /quota/i.test(messageOf(create)) ? 'inconclusive' : 'fail',
        `the shadow pod could not be created (FailedCreate): ${messageOf(create)}`,
        [],
      );
    }
    const name = String(create.body['metadata']['name']);
    note(podSteps(create.body, new Date().toISOString()));
    const evidence = [`shadow pod ${name}, window ${windowS}s`, `failing pods: ${input.failingSummary}`];
    const t0 = Date.now();
    let seen: Seen = observe(create.body, t0);
    let firstReady: number | undefined;
    let lastRenew = Date.now();
    let polls = 0;
    try {
      while (Date.now() - t0 < windowS * 1000 && !signal?.aborted) {
        await new Promise((r) => setTimeout(r, 1000));
        const r = await this.api.read('Pod', input.namespace, name).catch(() => undefined);
        if (!r || !isOk(r)) continue;
        seen = observe(r.body, t0);
        const seenAt = new Date().toISOString();
        const steps = podSteps(r.body, seenAt);
        // Warning events (FailedScheduling, BackOff, Unhealthy…) every other second: they explain a failure.
        if (polls++ % 2 === 0 || seen.restarts > 0 || seen.waiting.length > 0)
          steps.push(...eventSteps(await this.events(input.namespace, name), seenAt));
        note(steps);
        if (seen.readyAt !== undefined) firstReady ??= seen.readyAt;
        if (
          seen.oomKilled ||
          seen.restarts > 0 ||
          seen.phase === 'Failed' ||
          seen.waiting.some((w) => /BackOff|Err|Error/.test(w))
        )
          break;
        if (Date.now() - lastRenew > 10_000) {
          lastRenew = Date.now();
          await this.api
            .request('PATCH', objectPath('Pod', input.namespace, name), {
              body: {
                metadata: {
                  labels: { [SHADOW_EXPIRES_LABEL]: String(Math.floor(Date.now() / 1000) + windowS + LEASE_S) },
                },
              },
              patchType: 'merge',
              query: { fieldManager: SHADOW_FIELD_MANAGER },
            })
            .catch(() => undefined);
        }
      }
    } finally {
      const gone = await this.remove(input.namespace, name);
      note([removedStep(name, new Date().toISOString(), gone)]);
    }
    const ran = Math.round((Date.now() - t0) / 1000);
    evidence.push(
      `shadow: ${seen.phase}, scheduled ${seen.scheduled}, started ${seen.started}, ${firstReady !== undefined ? `Ready after ${(firstReady / 1000).toFixed(1)}s` : 'never Ready'}, ${seen.restarts} restarts${seen.oomKilled ? ', OOMKilled' : ''}${seen.waiting.length ? `, waiting: ${seen.waiting.join(', ')}` : ''} over ${ran}s`,
    );
    if (signal?.aborted)
      return done('inconclusive', 'the shadow check was interrupted (the shadow was removed)', evidence);
    if (seen.oomKilled) return done('fail', 'the shadow was OOMKilled too', evidence);
    if (seen.restarts > 0 || seen.waiting.length > 0 || seen.phase === 'Failed')
      return done('fail', `the shadow failed as well (${seen.waiting[0] ?? `${seen.restarts} restarts`})`, evidence);
    if (!seen.scheduled) return done('inconclusive', `the shadow was not scheduled within ${windowS}s`, evidence);
    if (firstReady === undefined) return done('fail', `the shadow never became Ready within ${windowS}s`, evidence);
    return done('pass', `the shadow ran ${ran}s: Ready, no restarts, no OOM kill`, evidence);
  }

  /** The events recorded about the shadow pod (none when they cannot be read). */
  private async events(namespace: string, name: string): Promise<Obj[]> {
    const r = await this.api
      .request('GET', objectPath('Event', namespace), {
        query: { fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${name}` },
      })
      .catch(() => undefined);
    return r && isOk(r) && Array.isArray(r.body['items']) ? (r.body['items'] as Obj[]) : [];
  }

  /** Deletes a shadow and waits until it is gone (404), so nothing is left when the check returns; true once gone. */
  async remove(namespace: string, name: string): Promise<boolean> {
    await this.api
      .request('DELETE', objectPath('Pod', namespace, name), { query: { gracePeriodSeconds: '0' } })
      .catch(() => undefined);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const r = await this.api.read('Pod', namespace, name).catch(() => undefined);
      if (r?.status === 404) return true;
      await new Promise((res) => setTimeout(res, 250));
    }
    return false;
  }

  /** Removes shadows that expired or whose holder process on this machine is gone; returns their names. */
  async sweep(namespaces: readonly string[]): Promise<string[]> {
    const removed: string[] = [];
    for (const ns of namespaces) {
      const r = await this.api
        .request('GET', objectPath('Pod', ns), { query: { labelSelector: `${SHADOW_LABEL}=true` } })
        .catch(() => undefined);
      if (!r || !isOk(r)) continue;
      for (const pod of (r.body['items'] ?? []) as Obj[]) {
        const labels = (pod['metadata']?.['labels'] ?? {}) as Record<string, string>;
        const expired = Number(labels[SHADOW_EXPIRES_LABEL] ?? 0) * 1000 < Date.now();
        const orphaned = !holderAlive(labels[SHADOW_HOLDER_LABEL] ?? '');
        if (!expired && !orphaned) continue;
        await this.remove(ns, String(pod['metadata']['name']));
        removed.push(`${ns}/${String(pod['metadata']['name'])}`);
      }
    }
    return removed;
  }
}
