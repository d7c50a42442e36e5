// Plain records for networking.k8s.io/v1 NetworkPolicies: which pods a policy selects, the policy
// types it declares, and its ingress and egress rules' ports. Peers (`from`, `to`) are kept as
// written and never judged: which clients may connect, and where DNS lives, are the user's to say.
import type { LabelSelectorRequirement, Meta } from './resources';

/** One `ports` entry of a rule, as written (protocol defaults to TCP when absent). */
export interface PolicyPort {
  protocol?: string;
  /** A port number or a named container port; absent means every port of the protocol. */
  port?: number | string;
  /** The last port of a range that starts at `port` (numeric ports only). */
  endPort?: number;
}

export interface NetworkPolicyIngressRule {
  /** Empty: the rule admits every port. */
  ports: PolicyPort[];
  /** `from` as written (plain JSON), kept only so an edit of the rule's ports can carry it unchanged. */
  from?: unknown[];
}

export interface NetworkPolicyEgressRule {
  /** Empty: the rule admits every port. */
  ports: PolicyPort[];
  /** `to` as written (plain JSON), kept only so an edit of the rule's ports can carry it unchanged. */
  to?: unknown[];
}

export interface NetworkPolicy {
  meta: Meta;
  /** spec.podSelector.matchLabels; an empty selector (with no expressions) selects every pod of the namespace. */
  podSelector: Record<string, string>;
  podSelectorExpressions: LabelSelectorRequirement[];
  /** spec.policyTypes as written; undefined when absent (the API's implicit rule applies). */
  policyTypes?: string[];
  /** spec.ingress as written; undefined when absent. Both absent and [] admit nothing. */
  ingress?: NetworkPolicyIngressRule[];
  /** True when spec.egress has at least one rule (the implicit policyTypes rule needs it). */
  hasEgressRules: boolean;
  /** spec.egress as written; undefined when absent. Both absent and [] admit nothing. */
  egress?: NetworkPolicyEgressRule[];
}

/** The protocol of a port entry or a Service port: TCP unless written otherwise. */
export function protocolOf(p: { protocol?: string }): string {
  return p.protocol || 'TCP';
}

/** "8080/TCP", "30000-32767/UDP", "any/TCP": one policy port as messages name it. */
export function policyPortText(p: PolicyPort): string {
  return `${p.port ?? 'any'}${p.endPort !== undefined ? `-${p.endPort}` : ''}/${protocolOf(p)}`;
}

function portsJson(ports: readonly PolicyPort[]): Record<string, unknown> {
  if (ports.length === 0) return {};
  return {
    ports: ports.map((p) => ({
      ...(p.protocol !== undefined ? { protocol: p.protocol } : {}),
      ...(p.port !== undefined ? { port: p.port } : {}),
      ...(p.endPort !== undefined ? { endPort: p.endPort } : {}),
    })),
  };
}

/** spec.ingress as plain JSON, the way the API returns it, for patches that replace the list. */
export function ingressJson(policy: NetworkPolicy): Record<string, unknown>[] {
  return (policy.ingress ?? []).map((rule) => ({
    ...(rule.from !== undefined ? { from: structuredClone(rule.from) } : {}),
    ...portsJson(rule.ports),
  }));
}

/** spec.egress as plain JSON, the way the API returns it, for patches that replace the list. */
export function egressJson(policy: NetworkPolicy): Record<string, unknown>[] {
  return (policy.egress ?? []).map((rule) => ({
    ...(rule.to !== undefined ? { to: structuredClone(rule.to) } : {}),
    ...portsJson(rule.ports),
  }));
}
