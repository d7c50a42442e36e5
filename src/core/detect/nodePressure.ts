// Nodes under memory, disk or PID pressure, or without a working network.
import type { Detector, DetectContext } from './detector';
import type { Finding } from '../model/incident';
import { condition, conditionEvidence, eventEvidence, finding, lastedAtLeast, nodeEvents, oneLine } from './support';
import { refOf } from '../model/objectRef';

/** A node that just joined reports NetworkUnavailable until its CNI is up; pressure can blip too. */
export const PRESSURE_GRACE_MS = 30 * 1000;

const PRESSURES: Record<string, string> = {
  MemoryPressure: 'memory pressure',
  DiskPressure: 'disk pressure',
  PIDPressure: 'PID pressure',
  NetworkUnavailable: 'no network',
};

export const nodePressureDetector: Detector = {
  types: ['NodePressure'],
  detect({ snapshot, now }: DetectContext): Finding[] {
    const out: Finding[] = [];
    for (const node of snapshot.list('Node')) {
      const ref = refOf('Node', node.meta);
      for (const [type, label] of Object.entries(PRESSURES)) {
        const c = condition(node.conditions, type);
        if (c?.status !== 'True' || !lastedAtLeast(c.lastTransitionTime, now, PRESSURE_GRACE_MS)) continue;
        const summary = `Node ${oneLine(node.meta.name)} reports ${label}${c.message ? `: ${oneLine(c.message, 200)}` : ''}`;
        const events = nodeEvents(snapshot, node.meta.name).filter(
          (e) => e.reason.includes(type.replace('Pressure', '')) || e.reason === 'EvictionThresholdMet',
        );
        out.push(
          finding(
            'NodePressure',
            'warning',
            ref,
            summary,
            [
              conditionEvidence(ref, c),
              {
                kind: 'status',
                source: ref,
                field: 'status.allocatable',
                text: `allocatable memory ${node.allocatable['memory'] ?? '?'}, ephemeral-storage ${node.allocatable['ephemeral-storage'] ?? '?'}, pods ${node.allocatable['pods'] ?? '?'}`,
              },
              ...events.slice(0, 2).map(eventEvidence),
            ],
            type,
          ),
        );
      }
    }
    return out;
  },
};
