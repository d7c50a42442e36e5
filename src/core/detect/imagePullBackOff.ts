// Containers whose image cannot be pulled (bad name, missing tag, registry auth, network).
import type { Detector, DetectContext } from './detector';
import type { Finding } from '../model/incident';
import type { ContainerStatus } from '../model/resources';
import { clip, namedItem, finding, lastedAtLeast, oneLine } from './support';
import { refOf } from '../model/objectRef';
import {
  containerSpecOf,
  containerStatuses,
  groupByWorkload,
  podEvents,
  PodIndex,
  podListEvidence,
  podsPhrase,
  statusField,
} from './pods';

const PULL_REASONS = [
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'ErrImageNeverPull',
  'RegistryUnavailable',
];
/** A first ErrImagePull can be a registry hiccup; the kubelet retries before backing off. */
export const ERR_IMAGE_PULL_GRACE_MS = 60 * 1000;

interface Hit {
  status: ContainerStatus;
  init: boolean;
  reason: string;
}

export const imagePullBackOffDetector: Detector = {
  types: ['ImagePullBackOff'],
  detect({ snapshot, now }: DetectContext): Finding[] {
    const index = PodIndex.of(snapshot);
    const groups = groupByWorkload<Hit>(index, (pod) =>
      containerStatuses(pod).flatMap(({ status, init }) => {
        const reason = status.state.waiting?.reason ?? '';
        if (!PULL_REASONS.includes(reason)) return [];
        if (reason === 'ErrImagePull' && !lastedAtLeast(pod.meta.createdAt, now, ERR_IMAGE_PULL_GRACE_MS)) return [];
        return [{ key: status.name, detail: { status, init, reason } }];
      }),
    );
    return groups.map((group) => {
      const hits = group.hits;
      const first = hits[0]!;
      const { status, init, reason } = first.detail;
      const spec = containerSpecOf(first.pod, status.name, init);
      const image = spec?.image || status.image;
      const podRef = refOf('Pod', first.pod.meta);
      const pods = hits.map((h) => h.pod);
      const failed = podEvents(
        snapshot,
        pods,
        ['Failed'],
        now,
        (e) => e.message.includes('image') || e.message.includes('pull'),
        2,
      );
      const backoff = podEvents(snapshot, pods, ['BackOff'], now, (e) => e.message.includes('pulling image'), 1);
      const summary = `${podsPhrase(index, group.workload, hits.length)} cannot pull image ${oneLine(image, 160)} for container ${oneLine(status.name)} (${reason})`;
      const secrets = first.pod.spec.imagePullSecrets;
      return finding(
        'ImagePullBackOff',
        'critical',
        group.workload,
        summary,
        [
          podListEvidence(pods, (p) => hits.find((h) => h.pod === p)!.detail.reason),
          {
            kind: 'spec',
            source: podRef,
            field: `${namedItem(`spec.${init ? 'initContainers' : 'containers'}`, status.name)}.image`,
            text: clip(`image ${image}`),
          },
          {
            kind: 'status',
            source: podRef,
            field: statusField(status.name, 'state.waiting.reason', init),
            text: clip(`${reason}${status.state.waiting?.message ? `: ${status.state.waiting.message}` : ''}`),
            reason,
          },
          {
            kind: 'spec',
            source: podRef,
            field: 'spec.imagePullSecrets',
            text: secrets.length > 0 ? clip(`imagePullSecrets: ${secrets.join(', ')}`) : 'no imagePullSecrets',
          },
          ...failed,
          ...backoff,
        ],
        status.name,
      );
    });
  },
};
