// Workloads a NetworkPolicy cuts off from DNS: the policy and the missing port 53 are the cause.
// When the policy has egress rules with ports, the fix adds 53/UDP and 53/TCP to the first such
// rule (its `to` peers unchanged), as a proposal the user confirms; a deny-all egress gets advice
// only, since where the pods may send is the user's to say.
import { egressJson, protocolOf, type NetworkPolicy } from '../model/networkPolicy';
import type { SpecEdit, SuggestedFix } from '../model/rootCause';
import { ruleAdmits } from '../detect/networkPolicyAdmission';
import { DNS_KEY, dnsCutOffs, egressField, workloadsText, type DnsCutOff } from '../detect/networkPolicyDns';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { diagnosis, q, type Diagnosis } from './ruleSupport';

/** Edits that append 53/UDP and 53/TCP (those the rule does not admit yet) to the first egress rule with ports. */
function addDnsFix(policy: NetworkPolicy): SuggestedFix | undefined {
  const rules = policy.egress ?? [];
  const index = rules.findIndex((r) => r.ports.length > 0);
  if (index < 0) return undefined;
  const rule = rules[index]!;
  const missing = ['UDP', 'TCP'].filter((protocol) => !ruleAdmits(rule, { port: 53, protocol }, undefined));
  const edits: SpecEdit[] = missing.flatMap((protocol, k) => [
    { path: `spec.egress[${index}].ports[${rule.ports.length + k}].port`, value: 53 },
    { path: `spec.egress[${index}].ports[${rule.ports.length + k}].protocol`, value: protocol },
  ]);
  return {
    summary: `Add port ${q(missing.map((p) => `53/${p}`).join(', '), 40)} to egress rule ${index + 1} of NetworkPolicy ${q(policy.meta.name, 63)} (its destinations stay as they are)`,
    edits,
    base: { spec: { egress: egressJson(policy) } },
  };
}

function ports(policy: NetworkPolicy): string {
  const listed = (policy.egress ?? []).flatMap((r) => r.ports.map((p) => `${p.port ?? 'any'}/${protocolOf(p)}`));
  return [...new Set(listed)].join(', ');
}

function diagnoseDns(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  if (incident.key !== DNS_KEY) return undefined;
  const cut: DnsCutOff | undefined = dnsCutOffs(snapshot).find(
    (c) => c.policy.meta.namespace === incident.workload.namespace && c.policy.meta.name === incident.workload.name,
  );
  if (!cut) return undefined;
  const policy = cut.policy;
  const denyAll = !(policy.egress ?? []).some((r) => r.ports.length > 0);
  const others = cut.policies.filter((p) => p !== policy).map((p) => p.meta.name);
  const also = others.length > 0 ? `; ${q(others.join(', '), 120)} also isolate them and admit it neither` : '';
  const fix = denyAll ? undefined : addDnsFix(policy);
  const advice: SuggestedFix = {
    summary: denyAll
      ? `Add an egress rule to NetworkPolicy ${q(policy.meta.name, 63)} (or another policy selecting these pods) that admits port 53 over UDP and TCP to your cluster DNS (for example pods labelled k8s-app=kube-dns in kube-system); where DNS runs is yours to name`
      : `Or admit port 53 over UDP and TCP in another egress policy that selects these pods, to your cluster DNS`,
  };
  return diagnosis({
    category: 'network-policy',
    summary: `NetworkPolicy ${q(policy.meta.name, 63)} isolates ${q(workloadsText(cut), 200)} for egress and admits no DNS traffic (port 53/UDP)${denyAll ? ' (it has no egress rule with ports: it denies all egress)' : ` (it admits only ${q(ports(policy), 120)})`}${also}`,
    explanation:
      'Once a NetworkPolicy with Egress in its policy types selects a pod, the pod may send only what some egress rule of the policies selecting it admits. No rule admits port 53 over UDP, so lookups of Service and external names time out: the pods stay Running, but every connection by name fails (clients log "temporary failure in name resolution" or similar).',
    confidence: 0.9,
    fields: [egressField(policy)],
    evidence: incident.evidence,
    fixes: [fix, advice],
  });
}

export const networkPolicyDnsRule: DiagnosisRule = {
  types: ['NetworkPolicyBlocked'],
  diagnose: diagnoseDns,
};
