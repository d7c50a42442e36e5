// Nodes whose kubelet reports NotReady or stopped reporting (Ready Unknown).
import type { Detector, DetectContext } from './detector';
import type { Finding } from '../model/incident';
import {
  ageMs,
  clip,
  condition,
  conditionEvidence,
  eventEvidence,
  finding,
  formatDuration,
  lastedAtLeast,
  nodeEvents,
  oneLine,
} from './support';
import { refOf } from '../model/objectRef';
import { isTerminalPod, livePods } from './pods';

/** A missed heartbeat or a kubelet restart flips Ready for a moment. */
export const NODE_NOT_READY_GRACE_MS = 30 * 1000;

export const nodeNotReadyDetector: Detector = {
  types: ['NodeNotReady'],
  detect({ snapshot, now }: DetectContext): Finding[] {
    const out: Finding[] = [];
    const pods = livePods(snapshot).filter((p) => !isTerminalPod(p));
    for (const node of snapshot.list('Node')) {
      const ready = condition(node.conditions, 'Ready');
      if (!ready || (ready.status !== 'False' && ready.status !== 'Unknown')) continue;
      if (!lastedAtLeast(ready.lastTransitionTime, now, NODE_NOT_READY_GRACE_MS)) continue;
      const ref = refOf('Node', node.meta);
      const onNode = pods.filter((p) => p.nodeName === node.meta.name);
      const age = ageMs(ready.lastTransitionTime, now);
      const state = ready.status === 'Unknown' ? 'stopped reporting (Ready Unknown)' : 'is NotReady';
      const summary = `Node ${oneLine(node.meta.name)} ${state}${age !== undefined ? ` for ${formatDuration(age)}` : ''}${ready.reason ? ` (${oneLine(ready.reason, 60)})` : ''}, ${onNode.length} pods on it`;
      out.push(
        finding('NodeNotReady', 'critical', ref, summary, [
          conditionEvidence(ref, ready),
          {
            kind: 'status',
            source: ref,
            field: 'spec.nodeName',
            text: `${onNode.length} pods scheduled on the node`,
            count: onNode.length,
          },
          node.unschedulable || node.taints.length > 0
            ? {
                kind: 'spec',
                source: ref,
                field: 'spec.taints',
                text: clip(
                  `${node.unschedulable ? 'cordoned; ' : ''}taints ${node.taints.map((t) => `${t.key}:${t.effect}`).join(', ') || 'none'}`,
                ),
              }
            : undefined,
          ...nodeEvents(snapshot, node.meta.name).slice(0, 3).map(eventEvidence),
        ]),
      );
    }
    return out;
  },
};
