// Pods the kubelet cannot set up: a volume that does not mount or attach (a missing ConfigMap or
// Secret, a missing key in its `items`, Multi-Attach, a CSI error) or a sandbox the runtime cannot
// create (CNI). They exist only as events on the pod; the incident lives on the pod's top-level owner.
import type { Detector, DetectContext } from './detector';
import type { Evidence, Finding } from '../model/incident';
import type { KubeEvent, Pod, PodVolume } from '../model/resources';
import type { ClusterSnapshot } from '../model/snapshot';
import {
  clip,
  eventEvidence,
  fieldName,
  finding,
  lastedAtLeast,
  oneLine,
  quotedAfter,
  RECENT_EVENT_MS,
  within,
} from './support';
import { refKey, refOf } from '../model/objectRef';
import { isPodReady, isTerminalPod, PodIndex, podListEvidence, podsPhrase } from './pods';

export const SETUP_REASONS = ['FailedMount', 'FailedAttachVolume', 'FailedMapVolume', 'FailedCreatePodSandBox'];
/** A pod this young may still be waiting for objects applied with it; the kubelet retries meanwhile. */
export const SETUP_GRACE_MS = 60 * 1000;
/**
 * A running pod whose volume source went missing: the kubelet reports it on every resync (about a
 * minute), and its event spam filter lets a repeated event through at least every 5 minutes.
 */
export const RUNNING_REFERENCE_WINDOW_MS = 6 * 60 * 1000;

export type SetupProblem =
  'missing-object' | 'missing-key' | 'multi-attach' | 'csi' | 'attach' | 'mount-timeout' | 'mount' | 'sandbox';

export interface SetupFailure {
  problem: SetupProblem;
  /** The volume the message names; undefined for sandbox failures. */
  volume?: string;
  missing?: { kind: 'ConfigMap' | 'Secret'; name: string; key?: string };
}

const RANK: Record<SetupProblem, number> = {
  'missing-key': 0,
  'missing-object': 1,
  'multi-attach': 2,
  csi: 3,
  attach: 4,
  mount: 5,
  sandbox: 6,
  'mount-timeout': 7,
};

/** What a kubelet / attach-detach event about pod setup says, in a form the rules can use. */
export function setupFailureFrom(reason: string, message: string): SetupFailure | undefined {
  const text = message.slice(0, 2000);
  if (reason === 'FailedCreatePodSandBox') return { problem: 'sandbox' };
  if (!SETUP_REASONS.includes(reason)) return undefined;
  const volume = quotedAfter(text, 'for volume');
  const object = /\b(configmap|secret) "([^"]{1,253})" not found/i.exec(text);
  if (object) {
    const kind = object[1]!.toLowerCase() === 'secret' ? 'Secret' : 'ConfigMap';
    return { problem: 'missing-object', ...(volume ? { volume } : {}), missing: { kind, name: object[2]! } };
  }
  const key = /references non-existent (config|secret) key: ([^\s,;]{1,253})/i.exec(text);
  if (key)
    return {
      problem: 'missing-key',
      ...(volume ? { volume } : {}),
      missing: { kind: key[1]!.toLowerCase() === 'secret' ? 'Secret' : 'ConfigMap', name: '', key: key[2]! },
    };
  if (/Multi-Attach error/i.test(text)) return { problem: 'multi-attach', ...(volume ? { volume } : {}) };
  if (/kubernetes\.io\/csi|\bCSI\b|csi driver|driver name/i.test(text))
    return { problem: 'csi', ...(volume ? { volume } : {}) };
  const unmounted = /unmounted volumes=\[([^\]\s]{1,253})/.exec(text);
  if (unmounted) return { problem: 'mount-timeout', volume: unmounted[1]! };
  if (reason === 'FailedAttachVolume') return { problem: 'attach', ...(volume ? { volume } : {}) };
  return { problem: 'mount', ...(volume ? { volume } : {}) };
}

/**
 * Fills in what the event leaves out from the pod's own volumes: the object behind a missing key,
 * and the pod volume of a PersistentVolume the attach-detach controller names (`claimOf` maps it).
 */
export function resolveVolume(
  failure: SetupFailure,
  volumes: readonly PodVolume[],
  claimOf: (pv: string) => string | undefined = () => undefined,
): SetupFailure {
  let v = failure.volume ? volumes.find((x) => x.name === failure.volume) : undefined;
  if (!v && failure.volume) {
    const claim = claimOf(failure.volume);
    v = claim ? volumes.find((x) => x.kind === 'PersistentVolumeClaim' && x.source === claim) : undefined;
    if (v) failure = { ...failure, volume: v.name };
  }
  if (!v || !failure.missing || failure.missing.name) return failure;
  return { ...failure, missing: { ...failure.missing, name: v.source } };
}

/** PersistentVolume name → the claim bound to it, in one namespace. */
export function claimLookup(snapshot: ClusterSnapshot, namespace: string): (pv: string) => string | undefined {
  return (pv) => snapshot.list('PersistentVolumeClaim', namespace).find((c) => c.volumeName === pv)?.meta.name;
}

export function describeFailure(f: SetupFailure): string {
  const vol = f.volume ? `volume ${oneLine(f.volume, 80)}` : 'a volume';
  switch (f.problem) {
    case 'missing-object':
      return `${vol} cannot mount: ${f.missing!.kind} ${oneLine(f.missing!.name, 80)} not found`;
    case 'missing-key':
      return `${vol} cannot mount: key ${oneLine(f.missing!.key, 80)} is not in ${f.missing!.kind} ${oneLine(f.missing!.name, 80) || '(unnamed)'}`;
    case 'multi-attach':
      return `${vol} is attached to another node (Multi-Attach)`;
    case 'csi':
      return `${vol} fails in its CSI driver`;
    case 'attach':
      return `${vol} cannot attach`;
    case 'mount-timeout':
      return `${vol} timed out mounting`;
    case 'mount':
      return `${vol} cannot mount`;
    case 'sandbox':
      return 'the pod sandbox cannot be created';
  }
}

interface PodFailure {
  pod: Pod;
  failure: SetupFailure;
  events: KubeEvent[];
  stuck: boolean;
}

function notStarted(pod: Pod): boolean {
  if (isTerminalPod(pod)) return false;
  const statuses = [...pod.initContainerStatuses, ...pod.containerStatuses];
  if (statuses.length === 0) return true;
  return statuses.every(
    (s) =>
      !s.state.running &&
      !s.state.terminated &&
      s.restartCount === 0 &&
      ['ContainerCreating', 'PodInitializing', ''].includes(s.state.waiting?.reason ?? ''),
  );
}

/** Setup events per pod (recent ones only), from the event list rather than every pod's events. */
function eventsByPod({ snapshot, now }: DetectContext): Map<string, KubeEvent[]> {
  const out = new Map<string, KubeEvent[]>();
  for (const e of snapshot.list('Event')) {
    if (
      e.involved.kind !== 'Pod' ||
      e.type !== 'Warning' ||
      !SETUP_REASONS.includes(e.reason) ||
      !within(e.lastSeen, now, RECENT_EVENT_MS)
    )
      continue;
    const k = refKey(e.involved);
    const list = out.get(k);
    if (list) list.push(e);
    else out.set(k, [e]);
  }
  return out;
}

function podFailure(ctx: DetectContext, pod: Pod, events: KubeEvent[]): PodFailure | undefined {
  const { now } = ctx;
  if (pod.meta.deletedAt || isTerminalPod(pod) || !lastedAtLeast(pod.meta.createdAt, now, SETUP_GRACE_MS))
    return undefined;
  const stuck = notStarted(pod);
  const relevant = stuck ? events : events.filter((e) => within(e.lastSeen, now, RUNNING_REFERENCE_WINDOW_MS));
  let best: { failure: SetupFailure; events: KubeEvent[] } | undefined;
  for (const e of relevant.sort((a, b) => b.lastSeen.localeCompare(a.lastSeen))) {
    const parsed = setupFailureFrom(e.reason, e.message);
    if (!parsed) continue;
    const failure = resolveVolume(parsed, pod.spec.volumes, claimLookup(ctx.snapshot, pod.meta.namespace));
    // A running pod only matters when what it refers to is gone (its next restart would fail).
    if (!stuck && failure.problem !== 'missing-object' && failure.problem !== 'missing-key') continue;
    if (!best || RANK[failure.problem] < RANK[best.failure.problem]) best = { failure, events: [e] };
    else if (best.failure.problem === failure.problem && best.failure.volume === failure.volume) best.events.push(e);
  }
  return best ? { pod, stuck, ...best } : undefined;
}

function volumeEvidence(pod: Pod, failure: SetupFailure): Evidence | undefined {
  const v = failure.volume ? pod.spec.volumes.find((x) => x.name === failure.volume) : undefined;
  if (!v) return undefined;
  const what = v.kind === 'Other' ? v.source : `${v.kind} ${v.source}`;
  return {
    kind: 'spec',
    source: refOf('Pod', pod.meta),
    field: `spec.volumes[name=${fieldName(v.name)}]`,
    text: clip(
      `volume ${v.name} from ${what}${v.optional ? ' (optional)' : ''}${v.keys.length > 0 ? `, items ${v.keys.join(', ')}` : ''}`,
    ),
  };
}

export const podSetupFailedDetector: Detector = {
  types: ['PodSetupFailed'],
  detect(ctx: DetectContext): Finding[] {
    const { snapshot } = ctx;
    const byPod = eventsByPod(ctx);
    if (byPod.size === 0) return [];
    const index = PodIndex.of(snapshot);
    const groups = new Map<string, { hits: PodFailure[] }>();
    for (const events of byPod.values()) {
      const first = events[0]!;
      const pod = snapshot.get('Pod', first.involved.namespace, first.involved.name);
      if (!pod) continue;
      const hit = podFailure(ctx, pod, events);
      if (!hit) continue;
      const owner = index.ownerOf(pod);
      const gk = `${refKey(owner)}\u0000${hit.failure.volume ?? 'sandbox'}`;
      const group = groups.get(gk);
      if (group) group.hits.push(hit);
      else groups.set(gk, { hits: [hit] });
    }
    const out: Finding[] = [];
    for (const { hits } of groups.values()) {
      hits.sort((a, b) => RANK[a.failure.problem] - RANK[b.failure.problem]);
      const worst = hits[0]!;
      const workload = index.ownerOf(worst.pod);
      const stuck = hits.filter((h) => h.stuck);
      const pods = hits.map((h) => h.pod);
      const ready = workload.kind === 'Pod' ? (isPodReady(worst.pod) ? 1 : 0) : index.readyOf(workload);
      const what = describeFailure(worst.failure);
      const summary =
        stuck.length > 0
          ? `${podsPhrase(index, workload, stuck.length)} stuck in ContainerCreating: ${what}`
          : `${oneLine(workload.name)} refers to a missing object: ${what} (its running pods would not start again)`;
      const events = hits.flatMap((h) => h.events).sort((a, b) => b.lastSeen.localeCompare(a.lastSeen));
      out.push(
        finding(
          'PodSetupFailed',
          stuck.length > 0 && ready === 0 ? 'critical' : 'warning',
          workload,
          summary,
          [
            ...events.slice(0, 3).map(eventEvidence),
            volumeEvidence(worst.pod, worst.failure),
            podListEvidence(pods, (p) => (hits.find((h) => h.pod === p)!.stuck ? 'ContainerCreating' : 'running')),
          ],
          worst.failure.volume ?? 'sandbox',
        ),
      );
    }
    return out;
  },
};
