// Containers that cannot be created from their spec: a missing Secret/ConfigMap or key, a bad mount.
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

const CONFIG_REASONS = ['CreateContainerConfigError', 'CreateContainerError'];
/** Objects applied together may arrive a moment apart; the kubelet retries meanwhile. */
export const CONFIG_ERROR_GRACE_MS = 30 * 1000;

interface Hit {
  status: ContainerStatus;
  init: boolean;
  reason: string;
}

export const createContainerConfigErrorDetector: Detector = {
  types: ['CreateContainerConfigError'],
  detect({ snapshot, now }: DetectContext): Finding[] {
    const index = PodIndex.of(snapshot);
    const groups = groupByWorkload<Hit>(index, (pod) =>
      containerStatuses(pod).flatMap(({ status, init }) => {
        const reason = status.state.waiting?.reason ?? '';
        if (!CONFIG_REASONS.includes(reason) || !lastedAtLeast(pod.meta.createdAt, now, CONFIG_ERROR_GRACE_MS))
          return [];
        return [{ key: status.name, detail: { status, init, reason } }];
      }),
    );
    return groups.map((group) => {
      const first = group.hits[0]!;
      const { status, init, reason } = first.detail;
      const message = status.state.waiting?.message ?? '';
      const spec = containerSpecOf(first.pod, status.name, init);
      const podRef = refOf('Pod', first.pod.meta);
      const pods = group.hits.map((h) => h.pod);
      const refs = spec?.configRefs ?? [];
      const summary = `${podsPhrase(index, group.workload, pods.length)} cannot start container ${oneLine(status.name)}: ${message ? oneLine(message, 160) : reason}`;
      return finding(
        'CreateContainerConfigError',
        'critical',
        group.workload,
        summary,
        [
          podListEvidence(pods, () => reason),
          {
            kind: 'status',
            source: podRef,
            field: statusField(status.name, 'state.waiting.message', init),
            text: clip(message || reason),
            reason,
          },
          refs.length > 0
            ? {
                kind: 'spec',
                source: podRef,
                field: `${namedItem(`spec.${init ? 'initContainers' : 'containers'}`, status.name)}.env`,
                text: clip(
                  `refers to ${refs.map((r) => `${r.kind} ${r.name}${r.optional ? ' (optional)' : ''}`).join(', ')}`,
                ),
              }
            : undefined,
          ...podEvents(snapshot, pods, ['Failed'], now, () => true, 2),
        ],
        status.name,
      );
    });
  },
};
