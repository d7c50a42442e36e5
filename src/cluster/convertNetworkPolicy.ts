// NetworkPolicies → plain records. Absent and empty lists stay distinct where the API gives them
// different meanings (policyTypes absent means the implicit rule; ingress or egress absent or []
// admits nothing, a rule without ports admits every port). Malformed entries are dropped, never thrown on.
import type {
  NetworkPolicy,
  NetworkPolicyEgressRule,
  NetworkPolicyIngressRule,
  PolicyPort,
} from '../core/model/networkPolicy';
import { arr, obj, opt, str, strings, toMeta, type Obj } from './convert';

/** An IntOrString port: a number, or a name (a numeric string is read as the number it spells). */
function portValue(v: unknown): number | string | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && v !== '') return /^\d+$/.test(v) ? Number(v) : v;
  return undefined;
}

function policyPort(p: Obj): PolicyPort {
  const port = portValue(p['port']);
  return {
    ...opt('protocol', str(p['protocol'])),
    ...(port !== undefined ? { port } : {}),
    ...(typeof p['endPort'] === 'number' && Number.isInteger(p['endPort']) ? { endPort: p['endPort'] } : {}),
  };
}

function ingressRule(r: Obj): NetworkPolicyIngressRule {
  return {
    ports: arr(r['ports']).map(policyPort),
    ...(Array.isArray(r['from']) ? { from: structuredClone(r['from']) as unknown[] } : {}),
  };
}

function egressRule(r: Obj): NetworkPolicyEgressRule {
  return {
    ports: arr(r['ports']).map(policyPort),
    ...(Array.isArray(r['to']) ? { to: structuredClone(r['to']) as unknown[] } : {}),
  };
}

export function toNetworkPolicy(o: Obj): NetworkPolicy {
  const spec = obj(o['spec']);
  const selector = obj(spec['podSelector']);
  return {
    meta: toMeta(o),
    podSelector: strings(selector['matchLabels']),
    podSelectorExpressions: arr(selector['matchExpressions']).map((e) => ({
      key: str(e['key']),
      operator: str(e['operator']),
      values: Array.isArray(e['values']) ? e['values'].map(str) : [],
    })),
    ...(Array.isArray(spec['policyTypes']) ? { policyTypes: spec['policyTypes'].map(str) } : {}),
    ...(Array.isArray(spec['ingress']) ? { ingress: arr(spec['ingress']).map(ingressRule) } : {}),
    hasEgressRules: Array.isArray(spec['egress']) && spec['egress'].length > 0,
    ...(Array.isArray(spec['egress']) ? { egress: arr(spec['egress']).map(egressRule) } : {}),
  };
}
