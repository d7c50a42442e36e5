// A Service no traffic reaches because NetworkPolicies admit none of its ports: the policy, the
// Service and the port are the cause. When the policy has ingress rules with ports, the fix adds
// the Service's target port to the first such rule (its peers unchanged), as a proposal the user
// confirms; a deny-all gets advice only, since who should be let in is the user's to say.
import type { NetworkPolicy } from '../model/networkPolicy';
import { ingressJson, protocolOf } from '../model/networkPolicy';
import type { SpecEdit, SuggestedFix } from '../model/rootCause';
import { blockedService, implicatedField, servicePortText, type BlockedService } from '../detect/networkPolicyBlocked';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { diagnosis, q, type Diagnosis } from './ruleSupport';

/** The value a ports entry gets for a Service port: its target port as written (number or name). */
function portValue(port: BlockedService['blocked'][number]['port']): number | string {
  const t = port.targetPort;
  if (t === undefined || t === '') return port.port;
  return /^\d+$/.test(t) ? Number(t) : t;
}

/** Edits that append the blocked ports to the first ingress rule that lists ports. */
function addPortsFix(policy: NetworkPolicy, b: BlockedService): SuggestedFix | undefined {
  const rules = policy.ingress ?? [];
  const index = rules.findIndex((r) => r.ports.length > 0);
  if (index < 0) return undefined;
  const entries = new Map<string, { port: number | string; protocol: string }>();
  for (const { port } of b.blocked) {
    const value = portValue(port);
    const protocol = protocolOf(port);
    entries.set(`${value}/${protocol}`, { port: value, protocol });
  }
  const first = rules[index]!.ports.length;
  const edits: SpecEdit[] = [...entries.values()].flatMap((e, k) => [
    { path: `spec.ingress[${index}].ports[${first + k}].port`, value: e.port },
    { path: `spec.ingress[${index}].ports[${first + k}].protocol`, value: e.protocol },
  ]);
  const text = [...entries.keys()].join(', ');
  return {
    summary: `Add port ${q(text, 120)} to ingress rule ${index + 1} of NetworkPolicy ${q(policy.meta.name, 63)} (its peers stay as they are)`,
    edits,
    base: { spec: { ingress: ingressJson(policy) } },
  };
}

function diagnoseBlocked(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  const key = incident.key ?? '';
  if (!key.startsWith('service:')) return undefined;
  const svc = snapshot.get('Service', incident.workload.namespace, key.slice('service:'.length));
  const b = svc ? blockedService(snapshot, svc) : undefined;
  if (!svc || !b || b.policies.length === 0) return undefined;
  const policy = b.policies.find((p) => p.meta.name === incident.workload.name) ?? b.policies[0]!;
  const ports = b.blocked.map((p) => servicePortText(p.port)).join(', ');
  const others = b.policies.filter((p) => p !== policy).map((p) => p.meta.name);
  const denyAll = (policy.ingress ?? []).length === 0;
  const also = others.length > 0 ? `; ${q(others.join(', '), 120)} also isolate them and admit it neither` : '';
  const fix = denyAll ? undefined : addPortsFix(policy, b);
  const advice: SuggestedFix = {
    summary: denyAll
      ? `Add an ingress rule to NetworkPolicy ${q(policy.meta.name, 63)} (or another policy selecting these pods) that admits port ${q(ports, 120)} from the clients that should reach Service ${q(svc.meta.name, 63)}; who they are is yours to name`
      : `Or admit port ${q(ports, 120)} in another policy that selects these pods, from the clients that should reach Service ${q(svc.meta.name, 63)}`,
  };
  return diagnosis({
    category: 'network-policy',
    summary: `NetworkPolicy ${q(policy.meta.name, 63)} isolates the ${b.readyPods.length === 1 ? 'pod' : 'pods'} of Service ${q(svc.meta.name, 63)} and admits no traffic on port ${q(ports, 120)}${denyAll ? ' (it has no ingress rule)' : ''}${also}`,
    explanation:
      'Once a NetworkPolicy with Ingress in its policy types selects a pod, the pod accepts only what some rule of the policies selecting it admits. No rule of these policies admits the port this Service sends to, so every connection through the Service is dropped (clients see timeouts, not refusals) even though its pods are ready and its endpoints are listed.',
    confidence: 0.9,
    fields: [implicatedField(policy)],
    evidence: incident.evidence,
    fixes: [fix, advice],
  });
}

export const networkPolicyRule: DiagnosisRule = {
  types: ['NetworkPolicyBlocked'],
  diagnose: diagnoseBlocked,
};
