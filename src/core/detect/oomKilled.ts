// Containers killed for exceeding their memory limit, now or recently.
import type { Detector, DetectContext } from './detector';
import type { Finding } from '../model/incident';
import type { ContainerStatus } from '../model/resources';
import { formatBytes, parseBytes } from '../model/quantity';
import { ageMs, namedItem, finding, oneLine, plural, within } from './support';
import { refOf } from '../model/objectRef';
import {
  containerSpecOf,
  containerStatuses,
  groupByWorkload,
  isTerminalPod,
  podEvents,
  PodIndex,
  podListEvidence,
  podsPhrase,
  statusField,
} from './pods';

/** An OOM kill older than this, with the container running fine since, is history rather than an incident. */
export const OOM_RECENT_MS = 60 * 60 * 1000;

interface Hit {
  status: ContainerStatus;
  init: boolean;
  where: 'state' | 'lastState';
  finishedAt?: string;
}

export const oomKilledDetector: Detector = {
  types: ['OOMKilled'],
  detect({ snapshot, now }: DetectContext): Finding[] {
    const index = PodIndex.of(snapshot);
    const groups = groupByWorkload<Hit>(index, (pod) =>
      containerStatuses(pod).flatMap(({ status, init }) => {
        const where =
          status.state.terminated?.reason === 'OOMKilled'
            ? 'state'
            : status.lastState.terminated?.reason === 'OOMKilled'
              ? 'lastState'
              : undefined;
        if (!where) return [];
        const finishedAt = status[where].terminated?.finishedAt;
        const recent = ageMs(finishedAt, now) === undefined || within(finishedAt, now, OOM_RECENT_MS);
        const down = !isTerminalPod(pod) && (status.state.running === undefined || !status.ready);
        if (!recent && !down) return [];
        return [{ key: status.name, detail: { status, init, where, ...(finishedAt ? { finishedAt } : {}) } }];
      }),
    );
    return groups.map((group) => {
      const hits = [...group.hits].sort((a, b) => (b.detail.finishedAt ?? '').localeCompare(a.detail.finishedAt ?? ''));
      const latest = hits[0]!;
      const { status, init, where } = latest.detail;
      const spec = containerSpecOf(latest.pod, status.name, init);
      const limitText = spec?.resources.limits['memory'];
      const limit = parseBytes(limitText);
      const usage = snapshot
        .usageOf(latest.pod.meta.namespace, latest.pod.meta.name)
        ?.containers.find((c) => c.name === status.name);
      const exit = status[where].terminated?.exitCode ?? 137;
      const limitPart = limit !== undefined ? `memory limit ${formatBytes(limit)}` : 'no memory limit set';
      const summary = `${podsPhrase(index, group.workload, hits.length)}: container ${oneLine(status.name)} was OOMKilled (exit ${exit}, ${limitPart})`;
      const podRef = refOf('Pod', latest.pod.meta);
      return finding(
        'OOMKilled',
        'critical',
        group.workload,
        summary,
        [
          podListEvidence(
            hits.map((h) => h.pod),
            (p) => {
              const h = hits.find((x) => x.pod === p)!.detail;
              return `${plural(h.status.restartCount, 'restart')}${h.finishedAt ? `, killed ${h.finishedAt}` : ''}`;
            },
          ),
          {
            kind: 'status',
            source: podRef,
            field: statusField(status.name, `${where}.terminated.reason`, init),
            text: `OOMKilled, exit code ${exit}`,
            reason: 'OOMKilled',
            ...(latest.detail.finishedAt ? { lastSeen: latest.detail.finishedAt } : {}),
          },
          {
            kind: 'spec',
            source: podRef,
            field: `${namedItem(`spec.${init ? 'initContainers' : 'containers'}`, status.name)}.resources.limits.memory`,
            text:
              limit !== undefined
                ? `memory limit ${formatBytes(limit)}`
                : limitText
                  ? `memory limit ${oneLine(limitText, 40)} (unparsable)`
                  : 'no memory limit',
          },
          spec?.resources.requests['memory']
            ? {
                kind: 'spec',
                source: podRef,
                field: `${namedItem(`spec.${init ? 'initContainers' : 'containers'}`, status.name)}.resources.requests.memory`,
                text: `memory request ${oneLine(spec.resources.requests['memory'], 40)}`,
              }
            : undefined,
          usage
            ? {
                kind: 'metric',
                source: podRef,
                text: `current memory usage ${formatBytes(usage.memoryBytes)}${limit ? ` of ${formatBytes(limit)}` : ''}`,
              }
            : undefined,
          ...podEvents(
            snapshot,
            hits.map((h) => h.pod),
            ['OOMKilling', 'BackOff'],
            now,
          ),
        ],
        status.name,
      );
    });
  },
};
