// Node conditions beyond the kubelet's own: node-problem-detector and similar agents add
// conditions such as KernelDeadlock, ReadonlyFilesystem or FrequentKubeletRestart that are True
// when something is wrong. And pressure conditions the kubelet reports as Unknown while the node
// is otherwise Ready: the kubelet cannot tell whether the node is under pressure.
import type { Detector, DetectContext } from './detector';
import type { Finding } from '../model/incident';
import { condition, conditionEvidence, eventEvidence, finding, lastedAtLeast, nodeEvents, oneLine } from './support';
import { refOf } from '../model/objectRef';

/** The kubelet's own conditions: NodeNotReady and NodePressure judge those. */
export const STANDARD_NODE_CONDITIONS = [
  'Ready',
  'MemoryPressure',
  'DiskPressure',
  'PIDPressure',
  'NetworkUnavailable',
];
const PRESSURE_CONDITIONS = ['MemoryPressure', 'DiskPressure', 'PIDPressure'];
/** Conditions named for a good state ("…Ready", "…Healthy") mean trouble when False, not when True. */
const POSITIVE_NAME = /(Ready|Healthy|Available|Up|Ok|OK|Reachable|Synced|Running)$/;
/** A condition that flips True for a moment (a one-off kernel message) is left to settle. */
export const NODE_PROBLEM_GRACE_MS = 30 * 1000;

/** True when a non-standard condition describes a problem in its current status. */
export function isProblemCondition(type: string, status: string): boolean {
  if (STANDARD_NODE_CONDITIONS.includes(type)) return false;
  return POSITIVE_NAME.test(type) ? status === 'False' : status === 'True';
}

export const nodeProblemDetector: Detector = {
  types: ['NodeProblem'],
  detect({ snapshot, now }: DetectContext): Finding[] {
    const out: Finding[] = [];
    for (const node of snapshot.list('Node')) {
      const ref = refOf('Node', node.meta);
      const ready = condition(node.conditions, 'Ready');
      for (const c of node.conditions) {
        const problem = isProblemCondition(c.type, c.status);
        // Unknown pressure while the kubelet reports: not the outage NodeNotReady covers.
        const unknownPressure =
          PRESSURE_CONDITIONS.includes(c.type) && c.status === 'Unknown' && ready?.status === 'True';
        if ((!problem && !unknownPressure) || !lastedAtLeast(c.lastTransitionTime, now, NODE_PROBLEM_GRACE_MS))
          continue;
        const events = nodeEvents(snapshot, node.meta.name).filter(
          (e) => e.type === 'Warning' && (e.reason === c.reason || e.reason === c.type || e.message.includes(c.type)),
        );
        const summary = unknownPressure
          ? `Node ${oneLine(node.meta.name)} reports ${c.type} as Unknown: the kubelet cannot tell whether the node is under pressure${c.message ? ` (${oneLine(c.message, 160)})` : ''}`
          : `Node ${oneLine(node.meta.name)} reports ${oneLine(c.type, 63)}=${c.status}${c.reason ? ` (${oneLine(c.reason, 60)})` : ''}${c.message ? `: ${oneLine(c.message, 200)}` : ''}`;
        out.push(
          finding(
            'NodeProblem',
            unknownPressure ? 'warning' : 'critical',
            ref,
            summary,
            [
              conditionEvidence(ref, c),
              ready ? conditionEvidence(ref, ready) : undefined,
              {
                kind: 'status',
                source: ref,
                field: 'spec.unschedulable',
                text: node.unschedulable ? 'cordoned (unschedulable)' : 'schedulable: new pods may still land on it',
              },
              ...events.slice(0, 2).map(eventEvidence),
            ],
            c.type,
          ),
        );
      }
    }
    return out;
  },
};
