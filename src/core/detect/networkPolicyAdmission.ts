// What NetworkPolicies let in and out, on ports only. A pod is isolated for a direction when a
// policy of its namespace selects it and has that direction among its policy types (written, or
// implicit: always Ingress, Egress only with egress rules). An isolated pod admits a port only if
// a rule of a selecting policy for that direction admits it: a rule without ports admits every
// port; a ports entry matches by number, by protocol and by endPort range, and (ingress only) by a
// named port resolved against the pod's containers. A named egress port names a port of the
// destination, unknown here, so it matches no port. Peers (`from`, `to`) are not judged: which
// clients may connect, and where a destination lives, is intent.
import type { NetworkPolicy, PolicyPort } from '../model/networkPolicy';
import { protocolOf } from '../model/networkPolicy';
import type { Pod, Service } from '../model/resources';
import type { ClusterSnapshot } from '../model/snapshot';
import { matchesLabelSelector, memo } from './support';

/** A port traffic arrives on at a pod. */
export interface PodPort {
  port: number;
  protocol: string;
}

/** The snapshot's live NetworkPolicies per namespace (shared by the ingress and egress judgements). */
export function policiesByNamespace(snapshot: ClusterSnapshot): Map<string, NetworkPolicy[]> {
  return memo(snapshot, 'networkPoliciesByNamespace', () => {
    const out = new Map<string, NetworkPolicy[]>();
    for (const p of snapshot.list('NetworkPolicy')) {
      if (p.meta.deletedAt) continue;
      const list = out.get(p.meta.namespace);
      if (list) list.push(p);
      else out.set(p.meta.namespace, [p]);
    }
    return out;
  });
}

/** spec.policyTypes, or the API's implicit value when it is absent. */
export function effectivePolicyTypes(policy: NetworkPolicy): string[] {
  if (policy.policyTypes !== undefined) return policy.policyTypes;
  return policy.hasEgressRules ? ['Ingress', 'Egress'] : ['Ingress'];
}

export function isolatesIngress(policy: NetworkPolicy): boolean {
  return effectivePolicyTypes(policy).includes('Ingress');
}

export function isolatesEgress(policy: NetworkPolicy): boolean {
  return effectivePolicyTypes(policy).includes('Egress');
}

export function selectsPod(policy: NetworkPolicy, pod: Pod): boolean {
  return (
    policy.meta.namespace === pod.meta.namespace &&
    matchesLabelSelector(pod.meta.labels, policy.podSelector, policy.podSelectorExpressions)
  );
}

/** The container port of that name (and protocol) in the pod, if it declares one. */
export function namedPort(pod: Pod, name: string, protocol: string): number | undefined {
  for (const c of pod.spec.containers)
    for (const p of c.ports ?? []) if (p.name === name && p.protocol === protocol) return p.containerPort;
  return undefined;
}

/** `pod`: the pod a named port resolves against; undefined (egress) when no pod can resolve it. */
export function portEntryAdmits(entry: PolicyPort, target: PodPort, pod: Pod | undefined): boolean {
  if (protocolOf(entry) !== target.protocol) return false;
  if (entry.port === undefined) return true;
  if (typeof entry.port === 'string')
    return pod !== undefined && namedPort(pod, entry.port, target.protocol) === target.port;
  if (entry.endPort !== undefined) return target.port >= entry.port && target.port <= entry.endPort;
  return target.port === entry.port;
}

export function ruleAdmits(rule: { ports: readonly PolicyPort[] }, target: PodPort, pod: Pod | undefined): boolean {
  return rule.ports.length === 0 || rule.ports.some((p) => portEntryAdmits(p, target, pod));
}

/** True when some rule of the policy admits the port (absent or empty ingress admits nothing). */
export function policyAdmits(policy: NetworkPolicy, target: PodPort, pod: Pod): boolean {
  return (policy.ingress ?? []).some((rule) => ruleAdmits(rule, target, pod));
}

export interface PodAdmission {
  /** The policies that isolate the pod in the direction judged (empty: every port is open). */
  isolatedBy: NetworkPolicy[];
  admitted: boolean;
}

/** Whether any traffic can reach the pod on the port under the namespace's policies (their union). */
export function ingressAdmission(policies: readonly NetworkPolicy[], pod: Pod, target: PodPort): PodAdmission {
  const isolatedBy = policies.filter((p) => !p.meta.deletedAt && isolatesIngress(p) && selectsPod(p, pod));
  return {
    isolatedBy,
    admitted: isolatedBy.length === 0 || isolatedBy.some((p) => policyAdmits(p, target, pod)),
  };
}

/** True when some egress rule of the policy admits the destination port (absent or empty egress admits nothing). */
export function policyAdmitsEgress(policy: NetworkPolicy, target: PodPort): boolean {
  return (policy.egress ?? []).some((rule) => ruleAdmits(rule, target, undefined));
}

/** Whether the pod may send to the destination port under the namespace's policies (their union). */
export function egressAdmission(policies: readonly NetworkPolicy[], pod: Pod, target: PodPort): PodAdmission {
  const isolatedBy = policies.filter((p) => !p.meta.deletedAt && isolatesEgress(p) && selectsPod(p, pod));
  return {
    isolatedBy,
    admitted: isolatedBy.length === 0 || isolatedBy.some((p) => policyAdmitsEgress(p, target)),
  };
}

/**
 * The pod port a Service port sends to: targetPort as a number, a named container port of the
 * pod, or the Service port itself when targetPort is unset. Undefined when the pod has no port of
 * that name (it is then no endpoint of this port).
 */
export function servicePortTarget(port: Service['ports'][number], pod: Pod): PodPort | undefined {
  const protocol = protocolOf(port);
  const target = port.targetPort;
  if (target === undefined || target === '') return { port: port.port, protocol };
  if (/^\d+$/.test(target)) return { port: Number(target), protocol };
  const resolved = namedPort(pod, target, protocol);
  return resolved === undefined ? undefined : { port: resolved, protocol };
}
