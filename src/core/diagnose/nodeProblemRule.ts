// Node problems an agent on the node reports (node-problem-detector and the like), and pressure the
// kubelet cannot measure. The node, the condition and the workloads with pods there are the cause;
// the fixes move the workloads off and repair or replace the machine.
import type { Node } from '../model/resources';
import { condition, conditionEvidence } from '../detect/support';
import { refOf } from '../model/objectRef';
import { isTerminalPod, livePods, PodIndex } from '../detect/pods';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { count, diagnosis, q, type Diagnosis } from './ruleSupport';

const KNOWN: Record<string, string> = {
  KernelDeadlock:
    'the kernel reports a deadlock (hung tasks): processes on the node, the container runtime included, may stop responding',
  ReadonlyFilesystem:
    'a filesystem was remounted read-only after disk errors: containers cannot write, and new ones often cannot start',
  FrequentKubeletRestart: 'the kubelet keeps restarting: pod status and probes on the node are unreliable',
  FrequentDockerRestart: 'the container runtime keeps restarting: containers on the node are killed and restarted',
  FrequentContainerdRestart: 'containerd keeps restarting: containers on the node are killed and restarted',
  CorruptDockerOverlay2: "the container runtime's overlay storage is corrupt: containers fail to start",
  FrequentUnregisterNetDevice: 'the kernel is stuck unregistering network devices: pod networking on the node hangs',
};

function diagnoseNodeProblem(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  const node: Node | undefined =
    snapshot.get('Node', '', incident.workload.name) ??
    snapshot.get('Node', incident.workload.namespace, incident.workload.name);
  if (!node) return undefined;
  const type = incident.key ?? '';
  const c = condition(node.conditions, type);
  if (!c) return undefined;
  const ref = refOf('Node', node.meta);
  const index = PodIndex.of(snapshot);
  const pods = livePods(snapshot).filter((p) => p.nodeName === node.meta.name && !isTerminalPod(p));
  const workloads = [...new Set(pods.map((p) => index.ownerOf(p)).map((o) => `${o.kind}/${o.name}`))];
  const unknown = c.status === 'Unknown';
  const meaning = unknown
    ? `the kubelet reports ${type} as Unknown: it cannot read the node's ${type === 'DiskPressure' ? 'disk' : type === 'PIDPressure' ? 'process' : 'memory'} statistics, so it will not evict pods in time if the node runs out`
    : (KNOWN[type] ?? `an agent on the node reports ${type}${c.reason ? ` (${c.reason})` : ''}`);
  return diagnosis({
    category: 'node-problem',
    summary: `node ${q(node.meta.name)}: ${q(`${type}=${c.status}`, 80)}${c.message ? ` (${q(c.message, 120)})` : ''}; ${count(pods.length, 'pod')} of ${count(workloads.length, 'workload')} run there`,
    explanation: `${meaning}. The scheduler does not look at this condition, so new pods can still land on the node.${workloads.length > 0 ? ` Affected: ${q(workloads.slice(0, 5).join(', '), 200)}.` : ''}`,
    confidence: KNOWN[type] || unknown ? 0.8 : 0.65,
    fields: [],
    evidence: [conditionEvidence(ref, c), ...incident.evidence],
    fixes: [
      {
        summary: `Cordon and drain ${q(node.meta.name)} (kubectl drain ${q(node.meta.name)} --ignore-daemonsets) so its pods move to healthy nodes`,
      },
      {
        summary: unknown
          ? `Check the kubelet's access to cAdvisor/cgroup statistics on ${q(node.meta.name)} (journalctl -u kubelet)`
          : `Repair the node (${type === 'ReadonlyFilesystem' ? 'check the disk and remount' : 'reboot it'}) or replace the machine, then uncordon it`,
      },
    ],
  });
}

export const nodeProblemRule: DiagnosisRule = {
  types: ['NodeProblem'],
  diagnose: diagnoseNodeProblem,
};
