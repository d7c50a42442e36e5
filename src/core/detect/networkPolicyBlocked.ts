// Services no traffic can reach because of NetworkPolicies: on some Service port, every ready
// backing pod is isolated for ingress and no rule of the policies that select it admits the port
// the Service sends to. A deny takes effect the moment it is applied, so it is judged at once
// (no age gate), but only while the Service has ready pods. The incident lives on the policy the
// user edits; when several isolate the pods, all are named and one is the primary. Workloads cut
// off from DNS by egress policies are reported here too (networkPolicyDns), one detector per type.
import type { Detector, DetectContext } from './detector';
import type { Evidence, Finding } from '../model/incident';
import { policyPortText, protocolOf, type NetworkPolicy } from '../model/networkPolicy';
import type { Pod, Service } from '../model/resources';
import type { ClusterSnapshot } from '../model/snapshot';
import { clip, finding, matchesSelector, oneLine, plural } from './support';
import { refOf } from '../model/objectRef';
import { isPodReady, isTerminalPod, podsByNamespace } from './pods';
import { ingressAdmission, policiesByNamespace, servicePortTarget, type PodPort } from './networkPolicyAdmission';
import { dnsCutOffFindings } from './networkPolicyDns';

export interface BlockedPort {
  /** The Service port as written. */
  port: Service['ports'][number];
  /** The pod ports it sends to (one per distinct resolution over the ready pods). */
  targets: PodPort[];
}

export interface BlockedService {
  service: Service;
  readyPods: Pod[];
  blocked: BlockedPort[];
  /** Every policy that isolates a ready pod on a blocked port, primary first. */
  policies: NetworkPolicy[];
}

/** "8080/TCP (http)": how a Service port is named in messages. */
export function servicePortText(port: Service['ports'][number]): string {
  const target = port.targetPort && port.targetPort !== String(port.port) ? ` → ${oneLine(port.targetPort, 63)}` : '';
  return `${port.port}/${protocolOf(port)}${port.name ? ` (${oneLine(port.name, 63)})` : ''}${target}`;
}

/** Policies with ingress rules first (they are where a port is added), then by name. */
function primaryOrder(a: NetworkPolicy, b: NetworkPolicy): number {
  const rules = (p: NetworkPolicy) => ((p.ingress ?? []).length > 0 ? 0 : 1);
  return rules(a) - rules(b) || a.meta.name.localeCompare(b.meta.name);
}

/** The Service's ports that no ready backing pod admits, or undefined when traffic gets through. */
export function blockedService(snapshot: ClusterSnapshot, svc: Service): BlockedService | undefined {
  if (svc.meta.deletedAt || svc.type === 'ExternalName' || Object.keys(svc.selector).length === 0) return undefined;
  if (svc.ports.length === 0) return undefined;
  const policies = policiesByNamespace(snapshot).get(svc.meta.namespace);
  if (!policies || policies.length === 0) return undefined;
  const readyPods = (podsByNamespace(snapshot).get(svc.meta.namespace) ?? []).filter(
    (p) => !isTerminalPod(p) && isPodReady(p) && matchesSelector(svc.selector, p.meta.labels),
  );
  if (readyPods.length === 0) return undefined;
  const blocked: BlockedPort[] = [];
  const isolating = new Map<string, NetworkPolicy>();
  for (const port of svc.ports) {
    const targets = new Map<string, PodPort>();
    const isolatedBy: NetworkPolicy[] = [];
    let judged = 0;
    let admitted = false;
    for (const pod of readyPods) {
      const target = servicePortTarget(port, pod);
      if (!target) continue;
      judged++;
      const a = ingressAdmission(policies, pod, target);
      if (a.admitted) {
        admitted = true;
        break;
      }
      targets.set(`${target.port}/${target.protocol}`, target);
      isolatedBy.push(...a.isolatedBy);
    }
    if (admitted || judged === 0) continue;
    blocked.push({ port, targets: [...targets.values()] });
    for (const p of isolatedBy) isolating.set(p.meta.name, p);
  }
  if (blocked.length === 0) return undefined;
  return { service: svc, readyPods, blocked, policies: [...isolating.values()].sort(primaryOrder) };
}

/**
 * Where a policy's port decision is written: its ingress rules; for a deny-all its policy types, or
 * the written empty `ingress`, or (nothing written but the selector) its pod selector.
 */
export function implicatedField(policy: NetworkPolicy): string {
  if ((policy.ingress ?? []).length > 0) return 'spec.ingress';
  if (policy.policyTypes !== undefined) return 'spec.policyTypes';
  return policy.ingress !== undefined ? 'spec.ingress' : 'spec.podSelector';
}

export function policyText(policy: NetworkPolicy): string {
  const rules = policy.ingress ?? [];
  if (rules.length === 0) return `${oneLine(policy.meta.name, 63)} (no ingress rule: denies all ingress)`;
  const ports = rules.flatMap((r) => (r.ports.length === 0 ? ['every port'] : r.ports.map(policyPortText)));
  return `${oneLine(policy.meta.name, 63)} (admits ${oneLine([...new Set(ports)].join(', '), 120)})`;
}

function toFinding(b: BlockedService): Finding {
  const primary = b.policies[0]!;
  const ref = refOf('NetworkPolicy', primary.meta);
  const svc = b.service;
  const ports = b.blocked.map((p) => servicePortText(p.port)).join(', ');
  const names = b.policies.map((p) => oneLine(p.meta.name, 63));
  const others = names.length > 1 ? ` (with ${names.slice(1).join(', ')})` : '';
  const evidence: Evidence[] = b.policies.slice(0, 5).map((p) => ({
    kind: 'spec',
    source: refOf('NetworkPolicy', p.meta),
    field: implicatedField(p),
    text: clip(`NetworkPolicy ${policyText(p)} selects the Service's pods`),
  }));
  evidence.push({
    kind: 'spec',
    source: refOf('Service', svc.meta),
    field: 'spec.ports',
    text: clip(
      `Service ${svc.meta.name} port ${ports} → ${b.blocked.flatMap((p) => p.targets.map((t) => `${t.port}/${t.protocol}`)).join(', ')} on ${plural(b.readyPods.length, 'ready pod')}: ${b.readyPods
        .slice(0, 5)
        .map((p) => p.meta.name)
        .join(', ')}`,
    ),
  });
  return finding(
    'NetworkPolicyBlocked',
    b.blocked.length === svc.ports.length ? 'critical' : 'warning',
    ref,
    `NetworkPolicy ${oneLine(primary.meta.name, 63)}${others} admits no traffic to Service ${oneLine(svc.meta.name, 63)} on port ${oneLine(ports, 160)}`,
    evidence,
    `service:${svc.meta.name}`,
  );
}

export const networkPolicyBlockedDetector: Detector = {
  types: ['NetworkPolicyBlocked'],
  detect({ snapshot }: DetectContext): Finding[] {
    if (snapshot.count('NetworkPolicy') === 0) return [];
    const out: Finding[] = [];
    for (const svc of snapshot.list('Service')) {
      const b = blockedService(snapshot, svc);
      if (b && b.policies.length > 0) out.push(toFinding(b));
    }
    out.push(...dnsCutOffFindings(snapshot));
    return out;
  },
};
