// CreateContainerConfigError: the container refers to a Secret or ConfigMap (or a key in one) that
// does not exist. The kubelet's message names it; the spec says where the reference is.
import type { Evidence } from '../model/incident';
import type { SpecEdit, SuggestedFix } from '../model/rootCause';
import { clip, namedItem, quotedAfter } from '../detect/support';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { diagnosis, incidentContainer, podsOf, q, templateOf, type Diagnosis } from './ruleSupport';

export interface MissingConfig {
  kind: 'Secret' | 'ConfigMap';
  name: string;
  key?: string;
}

/** `secret "db" not found`, `configmap "cfg" not found`, `couldn't find key password in Secret shop/db`. */
export function missingConfigFrom(message: string): MissingConfig | undefined {
  const text = message.slice(0, 2000);
  const lower = text.toLowerCase();
  for (const [marker, kind] of [
    ['secret', 'Secret'],
    ['configmap', 'ConfigMap'],
  ] as const) {
    const at = lower.indexOf(`${marker} "`);
    if (at >= 0 && lower.includes('not found', at)) {
      const name = quotedAfter(text.slice(at), text.slice(at, at + marker.length));
      if (name) return { kind, name };
    }
  }
  const keyAt = text.indexOf("couldn't find key ");
  if (keyAt >= 0) {
    const rest = text.slice(keyAt + "couldn't find key ".length);
    const parts = rest.split(/\s+/);
    const key = parts[0];
    const kind = parts[2] === 'Secret' ? 'Secret' : parts[2] === 'ConfigMap' ? 'ConfigMap' : undefined;
    const ref = parts[3]?.replace(/[.,;]+$/, '');
    if (key && kind && ref) return { kind, name: ref.includes('/') ? ref.slice(ref.indexOf('/') + 1) : ref, key };
  }
  return undefined;
}

function diagnoseConfig(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  const at = templateOf(snapshot, incident.workload);
  const c = incidentContainer(ctx, at);
  const name = c?.spec.name ?? incident.key ?? '';
  const pods = podsOf(snapshot, incident.workload);
  const waiting = pods
    .flatMap((p) => [...p.containerStatuses, ...p.initContainerStatuses])
    .find((s) => s.name === name && s.state.waiting?.message)?.state.waiting;
  const message =
    waiting?.message ?? incident.evidence.find((e) => e.field?.endsWith('state.waiting.message'))?.text ?? '';
  const missing = missingConfigFrom(message);
  if (!missing) {
    return diagnosis({
      category: 'config-missing',
      summary: `container ${q(name)} cannot be created: ${q(message || waiting?.reason || 'CreateContainerConfigError', 200)}`,
      explanation: 'The kubelet cannot build the container from its spec; the message says which part.',
      confidence: 0.45,
      fields: c ? [c.path] : [],
      evidence: incident.evidence,
      fixes: [{ summary: `Correct what the message names in the spec of ${q(name)}` }],
    });
  }
  const kindWord = missing.kind === 'Secret' ? 'secret' : 'configmap';
  const envEntries = c?.spec.env.filter((e) => e.from === `${kindWord} ${missing.name}`) ?? [];
  const viaEnvFrom =
    c !== undefined &&
    envEntries.length === 0 &&
    c.spec.configRefs.some((r) => r.kind === missing.kind && r.name === missing.name);
  const fields = c
    ? [
        ...envEntries.map((e) => namedItem(`${c.path}.env`, e.name)),
        viaEnvFrom || envEntries.length === 0 ? `${c.path}.envFrom` : undefined,
      ].filter((f): f is string => f !== undefined)
    : [];
  const what = missing.key
    ? `key ${q(missing.key)} in ${missing.kind} ${q(missing.name)}`
    : `${missing.kind} ${q(missing.name)}`;
  const keyRef = missing.kind === 'Secret' ? 'secretKeyRef' : 'configMapKeyRef';
  const optionalEdits: SpecEdit[] = c
    ? envEntries.map((e) => ({
        path: `${namedItem(`${c.path}.env`, e.name)}.valueFrom.${keyRef}.optional`,
        value: true,
        previous: false,
      }))
    : [];
  const fixes: SuggestedFix[] = [
    {
      summary: missing.key
        ? `Add key ${q(missing.key)} to ${missing.kind} ${q(missing.name)} in namespace ${q(incident.workload.namespace)}`
        : `Create ${missing.kind} ${q(missing.name)} in namespace ${q(incident.workload.namespace)}`,
    },
  ];
  if (optionalEdits.length > 0)
    fixes.push({ summary: `Mark the reference optional if ${q(name)} can start without it`, edits: optionalEdits });
  const refEvidence: Evidence | undefined =
    c && fields[0]
      ? {
          kind: 'spec',
          source: incident.workload,
          field: fields[0],
          text: clip(
            envEntries.length > 0
              ? `env ${envEntries.map((e) => e.name).join(', ')} from ${missing.kind} ${missing.name}`
              : `envFrom ${missing.kind} ${missing.name}`,
          ),
        }
      : undefined;
  return diagnosis({
    category: 'config-missing',
    summary: `${what} does not exist, so container ${q(name)} cannot start`,
    explanation: `Container ${q(name)} refers to ${what}${envEntries.length > 0 ? ` through env ${q(envEntries.map((e) => e.name).join(', '), 120)}` : viaEnvFrom ? ' through envFrom' : ''}, and the kubelet reports it missing. Create it in namespace ${q(incident.workload.namespace)}, or correct the reference if the name is wrong.`,
    confidence: 0.9,
    fields,
    evidence: [refEvidence, ...incident.evidence.filter((e) => e.kind === 'status' || e.kind === 'event')],
    fixes,
  });
}

export const configMissingRule: DiagnosisRule = {
  types: ['CreateContainerConfigError'],
  diagnose: diagnoseConfig,
};
