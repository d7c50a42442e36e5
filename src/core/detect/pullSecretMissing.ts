// Pods that refer to an imagePullSecret that does not exist: the kubelet says so on every pull
// (FailedToRetrieveImagePullSecret), whether or not the pull then fails. A reference to a missing
// object is an incident once the pod is 60 s old, even while its pods run (a public image), since
// the next pull from a private registry would fail.
import type { Detector, DetectContext } from './detector';
import type { Finding } from '../model/incident';
import type { KubeEvent, Pod } from '../model/resources';
import { clip, eventEvidence, finding, lastedAtLeast, oneLine, within } from './support';
import { refKey, refOf } from '../model/objectRef';
import { PodIndex, podListEvidence, podsPhrase } from './pods';

export const PULL_SECRET_REASON = 'FailedToRetrieveImagePullSecret';
export const PULL_SECRET_GRACE_MS = 60 * 1000;
/** The kubelet repeats the event on every pod sync; its spam filter passes one at least every 5 minutes. */
export const PULL_SECRET_WINDOW_MS = 6 * 60 * 1000;
const PULL_FAILURES = ['ImagePullBackOff', 'ErrImagePull'];

/** "Unable to retrieve some image pull secrets (a, b); attempting …" → ["a", "b"]. */
export function pullSecretsFrom(message: string): string[] {
  const m = /image pull secrets \(([^)]{1,1000})\)/.exec(message.slice(0, 2000));
  return m
    ? m[1]!
        .split(',')
        .map((s) => s.trim())
        .filter((s) => /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(s))
        .slice(0, 10)
    : [];
}

function pullFailing(pod: Pod): boolean {
  return [...pod.initContainerStatuses, ...pod.containerStatuses].some((s) =>
    PULL_FAILURES.includes(s.state.waiting?.reason ?? ''),
  );
}

export const pullSecretMissingDetector: Detector = {
  types: ['PullSecretMissing'],
  detect({ snapshot, now }: DetectContext): Finding[] {
    const events = snapshot
      .list('Event')
      .filter(
        (e) =>
          e.reason === PULL_SECRET_REASON &&
          e.involved.kind === 'Pod' &&
          within(e.lastSeen, now, PULL_SECRET_WINDOW_MS),
      );
    if (events.length === 0) return [];
    const index = PodIndex.of(snapshot);
    const groups = new Map<string, { pods: Pod[]; events: KubeEvent[]; secrets: string[] }>();
    for (const e of events) {
      const pod = snapshot.get('Pod', e.involved.namespace, e.involved.name);
      if (!pod || pod.meta.deletedAt || pod.phase === 'Succeeded' || pod.phase === 'Failed') continue;
      if (e.involved.uid && e.involved.uid !== pod.meta.uid) continue;
      if (!lastedAtLeast(pod.meta.createdAt, now, PULL_SECRET_GRACE_MS)) continue;
      const secrets = pullSecretsFrom(e.message).filter((s) => pod.spec.imagePullSecrets.includes(s));
      if (secrets.length === 0) continue;
      const owner = index.ownerOf(pod);
      const key = `${refKey(owner)}\u0000${secrets.join(',')}`;
      const group = groups.get(key) ?? { pods: [], events: [], secrets };
      if (!group.pods.includes(pod)) group.pods.push(pod);
      group.events.push(e);
      groups.set(key, group);
    }
    const out: Finding[] = [];
    for (const { pods, events: found, secrets } of groups.values()) {
      found.sort((a, b) => b.lastSeen.localeCompare(a.lastSeen));
      const owner = index.ownerOf(pods[0]!);
      const failing = pods.filter(pullFailing);
      const names = secrets.map((s) => oneLine(s, 100)).join(', ');
      const summary = `${podsPhrase(index, owner, pods.length)} ${pods.length === 1 ? 'refers' : 'refer'} to imagePullSecret ${names}, which does not exist${failing.length > 0 ? `; image pulls fail in ${failing.length}` : ' (images pull without it for now)'}`;
      out.push(
        finding(
          'PullSecretMissing',
          failing.length > 0 ? 'critical' : 'warning',
          owner,
          summary,
          [
            ...found.slice(0, 2).map(eventEvidence),
            {
              kind: 'spec',
              source: refOf('Pod', pods[0]!.meta),
              field: 'spec.imagePullSecrets',
              text: clip(`imagePullSecrets: ${pods[0]!.spec.imagePullSecrets.join(', ')}`),
            },
            podListEvidence(pods, (p) => (pullFailing(p) ? 'ImagePullBackOff' : p.phase)),
          ],
          secrets.join(','),
        ),
      );
    }
    return out;
  },
};
