// Containers the kubelet keeps restarting and now backs off from (waiting reason CrashLoopBackOff).
// Init containers and sidecars in back-off are ContainerFailed (containerFailed.ts).
import type { Detector, DetectContext } from './detector';
import type { Finding } from '../model/incident';
import type { ContainerStatus } from '../model/resources';
import { clip, finding, oneLine, plural } from './support';
import { refOf } from '../model/objectRef';
import {
  byRestartsDesc,
  containerStatuses,
  groupByWorkload,
  podEvents,
  PodIndex,
  podListEvidence,
  podsPhrase,
  statusField,
} from './pods';

interface Hit {
  status: ContainerStatus;
  init: boolean;
}

export const crashLoopBackOffDetector: Detector = {
  types: ['CrashLoopBackOff'],
  detect({ snapshot, now }: DetectContext): Finding[] {
    const index = PodIndex.of(snapshot);
    const groups = groupByWorkload<Hit>(index, (pod) =>
      containerStatuses(pod)
        .filter(({ status, init }) => !init && status.state.waiting?.reason === 'CrashLoopBackOff')
        .map(({ status, init }) => ({ key: status.name, detail: { status, init } })),
    );
    return groups.map((group) => {
      const hits = byRestartsDesc(group.hits);
      const worst = hits[0]!;
      const { status, init } = worst.detail;
      const last = status.lastState.terminated;
      const restarts = Math.max(...hits.map((h) => h.detail.status.restartCount));
      const cause = last ? `${last.reason || 'terminated'} (exit ${last.exitCode})` : 'exited';
      const summary = `${podsPhrase(index, group.workload, hits.length)} ${hits.length === 1 ? 'restarts' : 'restart'} in a loop: ${init ? 'init ' : ''}container ${oneLine(status.name)} ${last ? 'was ' : ''}${cause}, ${plural(restarts, 'restart')}`;
      const podRef = refOf('Pod', worst.pod.meta);
      return finding(
        'CrashLoopBackOff',
        'critical',
        group.workload,
        summary,
        [
          podListEvidence(
            hits.map((h) => h.pod),
            (p) => {
              const s = hits.find((h) => h.pod === p)!.detail.status;
              return `${plural(s.restartCount, 'restart')}`;
            },
          ),
          last
            ? {
                kind: 'status',
                source: podRef,
                field: statusField(status.name, 'lastState.terminated.reason', init),
                text: clip(
                  `${last.reason || 'terminated'}, exit code ${last.exitCode}${last.message ? `: ${last.message}` : ''}`,
                ),
                reason: last.reason,
                ...(last.finishedAt ? { lastSeen: last.finishedAt } : {}),
              }
            : undefined,
          {
            kind: 'status',
            source: podRef,
            field: statusField(status.name, 'restartCount', init),
            text: `${status.restartCount} restarts`,
            count: status.restartCount,
          },
          status.state.waiting?.message
            ? {
                kind: 'status',
                source: podRef,
                field: statusField(status.name, 'state.waiting.message', init),
                text: clip(status.state.waiting.message),
                reason: 'CrashLoopBackOff',
              }
            : undefined,
          ...podEvents(
            snapshot,
            hits.map((h) => h.pod),
            ['BackOff'],
            now,
          ),
        ],
        status.name,
      );
    });
  },
};
