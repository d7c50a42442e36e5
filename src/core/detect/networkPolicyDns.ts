// Workloads NetworkPolicies cut off from DNS: every running pod of the workload is isolated for
// egress and no egress rule of the policies selecting it admits port 53 over UDP, so no name
// resolves (a default-deny egress, or an allow-list that forgot 53). Where DNS lives is not judged
// (`to` peers are the user's), only whether the port can leave at all. Pods on the node's network
// are outside NetworkPolicies; bare pods are not judged. The incident lives on the policy the user
// edits, one per policy, naming the workloads it cuts off.
import type { Evidence, Finding } from '../model/incident';
import { policyPortText, type NetworkPolicy } from '../model/networkPolicy';
import { refKey, refOf } from '../model/objectRef';
import type { ObjectRef, Pod } from '../model/resources';
import type { ClusterSnapshot } from '../model/snapshot';
import { clip, finding, oneLine, plural } from './support';
import { isTerminalPod, PodIndex } from './pods';
import { egressAdmission, policiesByNamespace, type PodPort } from './networkPolicyAdmission';

/** The incident key of a DNS cut-off (a NetworkPolicyBlocked on the policy, apart from Service keys). */
export const DNS_KEY = 'egress:dns';
export const DNS_PORT: PodPort = { port: 53, protocol: 'UDP' };

export interface CutOffWorkload {
  workload: ObjectRef;
  pods: Pod[];
}

export interface DnsCutOff {
  /** The policy the incident lives on: the first with egress rules that list ports, else by name. */
  policy: NetworkPolicy;
  /** Every policy that isolates these workloads' pods for egress, primary first. */
  policies: NetworkPolicy[];
  workloads: CutOffWorkload[];
}

/** Policies with port-listing egress rules first (they are where 53 is added), then by name. */
function primaryOrder(a: NetworkPolicy, b: NetworkPolicy): number {
  const rank = (p: NetworkPolicy) => ((p.egress ?? []).some((r) => r.ports.length > 0) ? 0 : 1);
  return rank(a) - rank(b) || a.meta.name.localeCompare(b.meta.name);
}

/** Running, not finishing pods that NetworkPolicies apply to (not on the node's network). */
function judgedPod(pod: Pod): boolean {
  return pod.phase === 'Running' && !isTerminalPod(pod) && !pod.meta.deletedAt && pod.spec.hostNetwork !== true;
}

/** The DNS cut-offs of the snapshot, one per primary policy. */
export function dnsCutOffs(snapshot: ClusterSnapshot): DnsCutOff[] {
  const byNamespace = policiesByNamespace(snapshot);
  if (byNamespace.size === 0) return [];
  const index = PodIndex.of(snapshot);
  const workloads = new Map<string, { ref: ObjectRef; pods: Pod[] }>();
  for (const pod of index.pods()) {
    if (!byNamespace.has(pod.meta.namespace) || !judgedPod(pod)) continue;
    const ref = index.ownerOf(pod);
    if (ref.kind === 'Pod') continue;
    const entry = workloads.get(refKey(ref));
    if (entry) entry.pods.push(pod);
    else workloads.set(refKey(ref), { ref, pods: [pod] });
  }
  const out = new Map<string, DnsCutOff>();
  for (const { ref, pods } of workloads.values()) {
    const policies = byNamespace.get(ref.namespace) ?? [];
    const isolating = new Map<string, NetworkPolicy>();
    let cut = true;
    for (const pod of pods) {
      const a = egressAdmission(policies, pod, DNS_PORT);
      if (a.admitted) {
        cut = false;
        break;
      }
      for (const p of a.isolatedBy) isolating.set(p.meta.name, p);
    }
    if (!cut || isolating.size === 0) continue;
    const sorted = [...isolating.values()].sort(primaryOrder);
    const primary = sorted[0]!;
    const key = refKey(refOf('NetworkPolicy', primary.meta));
    const entry = out.get(key);
    if (entry) {
      entry.workloads.push({ workload: ref, pods });
      for (const p of sorted) if (!entry.policies.includes(p)) entry.policies.push(p);
    } else out.set(key, { policy: primary, policies: sorted, workloads: [{ workload: ref, pods }] });
  }
  const byName = (a: CutOffWorkload, b: CutOffWorkload) =>
    a.workload.name.localeCompare(b.workload.name) || a.workload.kind.localeCompare(b.workload.kind);
  for (const c of out.values()) c.workloads.sort(byName);
  return [...out.values()];
}

/** "web-egress (no egress rule: denies all egress)" / "api-egress (admits 443/TCP, 5432/TCP)". */
export function egressPolicyText(policy: NetworkPolicy): string {
  const rules = policy.egress ?? [];
  if (rules.length === 0) return `${oneLine(policy.meta.name, 63)} (no egress rule: denies all egress)`;
  const ports = rules.flatMap((r) => r.ports.map(policyPortText));
  return `${oneLine(policy.meta.name, 63)} (admits ${oneLine([...new Set(ports)].join(', '), 120)})`;
}

/** Where a policy's egress decision is written: its egress rules, else its policy types. */
export function egressField(policy: NetworkPolicy): string {
  return (policy.egress ?? []).length > 0 || policy.policyTypes === undefined ? 'spec.egress' : 'spec.policyTypes';
}

export function workloadsText(c: DnsCutOff): string {
  const names = c.workloads.map((w) => `${w.workload.kind} ${oneLine(w.workload.name, 63)}`);
  return names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
}

function toFinding(c: DnsCutOff): Finding {
  const others = c.policies.slice(1).map((p) => oneLine(p.meta.name, 63));
  const evidence: Evidence[] = c.policies.slice(0, 5).map((p) => ({
    kind: 'spec',
    source: refOf('NetworkPolicy', p.meta),
    field: egressField(p),
    text: clip(`NetworkPolicy ${egressPolicyText(p)} isolates the pods for egress; no rule admits 53/UDP`),
  }));
  for (const w of c.workloads.slice(0, 5)) {
    evidence.push({
      kind: 'spec',
      source: w.workload,
      text: clip(
        `${plural(w.pods.length, 'running pod')} of ${w.workload.kind} ${w.workload.name} cut off from DNS: ${w.pods
          .slice(0, 5)
          .map((p) => p.meta.name)
          .join(', ')}`,
      ),
    });
  }
  return finding(
    'NetworkPolicyBlocked',
    'warning',
    refOf('NetworkPolicy', c.policy.meta),
    `NetworkPolicy ${oneLine(c.policy.meta.name, 63)}${others.length > 0 ? ` (with ${others.join(', ')})` : ''} blocks DNS (port 53/UDP) egress for ${workloadsText(c)}: names cannot resolve`,
    evidence,
    DNS_KEY,
  );
}

/** The DNS cut-offs as findings; the NetworkPolicyBlocked detector reports them beside its Services. */
export function dnsCutOffFindings(snapshot: ClusterSnapshot): Finding[] {
  if (snapshot.count('NetworkPolicy') === 0) return [];
  return dnsCutOffs(snapshot).map(toFinding);
}
