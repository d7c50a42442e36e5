// PodCreationRejected: the API server refuses the controller's pods. The cause quotes the admission
// message and names the field it is about; where the message says the value to use (Pod Security's
// "must set …", a LimitRange bound, an invalid field) the fix edits exactly that field.
import type { Evidence } from '../model/incident';
import type { LimitRange } from '../model/resources';
import type { SpecEdit, SuggestedFix } from '../model/rootCause';
import type { ClusterSnapshot } from '../model/snapshot';
import { parseQuantity } from '../model/quantity';
import { describeRejection, rejectionFrom, type LimitViolation, type Rejection } from '../detect/podCreationRejected';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { containerPath, diagnosis, prefixFor, q, templateOf, type Diagnosis, type TemplateAt } from './ruleSupport';

/** Scalar settings Pod Security asks for, by the text of its "must set" clause. */
const PSS_SETTINGS: { pattern: RegExp; path: string; value: string | boolean }[] = [
  {
    pattern: /must set securityContext\.allowPrivilegeEscalation=false/,
    path: 'securityContext.allowPrivilegeEscalation',
    value: false,
  },
  { pattern: /must set securityContext\.runAsNonRoot=true/, path: 'securityContext.runAsNonRoot', value: true },
  {
    pattern: /must set securityContext\.seccompProfile\.type to "RuntimeDefault"/,
    path: 'securityContext.seccompProfile.type',
    value: 'RuntimeDefault',
  },
  { pattern: /must not set securityContext\.privileged=true/, path: 'securityContext.privileged', value: false },
];

interface Found {
  fields: string[];
  edits: SpecEdit[];
  notes: string[];
}

function containerAt(at: TemplateAt | undefined, prefix: string, name: string): string {
  const init =
    at?.template.initContainers.some((c) => c.name === name) && !at.template.containers.some((c) => c.name === name);
  return containerPath(prefix, name, init === true);
}

function podSecurity(violations: string[], at: TemplateAt | undefined, prefix: string): Found {
  const found: Found = { fields: [], edits: [], notes: [] };
  for (const v of violations) {
    const names = [...v.matchAll(/containers? ((?:"[^"]{1,253}"(?:, )?)+)/g)].flatMap((m) =>
      [...m[1]!.matchAll(/"([^"]{1,253})"/g)].map((n) => n[1]!),
    );
    const setting = PSS_SETTINGS.find((s) => s.pattern.test(v));
    const settingPath = setting?.path ?? /securityContext\.[A-Za-z.]+/.exec(v)?.[0];
    for (const name of names) {
      const base = containerAt(at, prefix, name);
      if (settingPath) found.fields.push(`${base}.${settingPath}`);
      if (setting) found.edits.push({ path: `${base}.${setting.path}`, value: setting.value });
    }
    const volume = /volumes? "([^"]{1,253})"/.exec(v)?.[1];
    if (volume) found.fields.push(`${prefix}.volumes[name=${q(volume, 100)}]`);
    const host = /\b(hostNetwork|hostPID|hostIPC)=true/.exec(v)?.[1];
    if (host) found.fields.push(`${prefix}.${host}`);
    if (!setting) found.notes.push(v);
  }
  return found;
}

function limitRangeEdits(violations: LimitViolation[], at: TemplateAt | undefined, prefix: string): Found {
  const found: Found = { fields: [], edits: [], notes: [] };
  for (const v of violations) {
    if (v.scope !== 'Container' || !at) continue;
    const section = v.what === 'limit' ? 'limits' : 'requests';
    const actual = parseQuantity(v.actual);
    for (const c of [...at.template.containers, ...at.template.initContainers]) {
      const value = c.resources[section][v.resource];
      if (value === undefined || parseQuantity(value) !== actual) continue;
      const path = `${containerAt(at, prefix, c.name)}.resources.${section}.${v.resource}`;
      found.fields.push(path);
      found.edits.push({ path, value: v.allowed, previous: value });
    }
  }
  return found;
}

/** "spec.containers[0].image" (a pod path) → the template path of that container. */
function templateField(field: string, at: TemplateAt | undefined, prefix: string): string {
  const m = /^spec\.(containers|initContainers)\[(\d+)\](.*)$/.exec(field);
  if (m && at) {
    const list = m[1] === 'initContainers' ? at.template.initContainers : at.template.containers;
    const c = list[Number(m[2])];
    if (c) return `${containerPath(prefix, c.name, m[1] === 'initContainers')}${m[3]}`;
  }
  return field.startsWith('spec.') ? `${prefix}.${field.slice('spec.'.length)}` : field;
}

/** Fields a CEL expression in a policy's message reads ("failed expression: object.spec.containers.all(…)"). */
function celFields(message: string, at: TemplateAt | undefined, prefix: string): string[] {
  const paths = [...message.matchAll(/\bobject\.((?:spec|metadata)(?:\.[A-Za-z_]\w*(?![\w(]))+)/g)].map((m) => m[1]!);
  return [
    ...new Set(
      paths.map((p) =>
        p.startsWith('metadata.')
          ? prefix === 'spec'
            ? p
            : `${prefix.replace(/\.spec$/, '')}.${p}`
          : templateField(p, at, prefix),
      ),
    ),
  ].slice(0, 3);
}

/** The LimitRange whose bound the message quotes, when the snapshot has it. */
export function limitRangeFor(snapshot: ClusterSnapshot, namespace: string, v: LimitViolation): LimitRange | undefined {
  const allowed = parseQuantity(v.allowed);
  return snapshot
    .list('LimitRange', namespace)
    .find((lr) =>
      lr.limits.some(
        (l) => l.type === v.scope && parseQuantity((v.bound === 'maximum' ? l.max : l.min)[v.resource]) === allowed,
      ),
    );
}

function explain(
  r: Rejection,
  ns: string,
  limitRange?: string,
): { summary: string; explanation: string; fix: string; confidence: number } {
  switch (r.by) {
    case 'pod-security':
      return {
        summary: `Pod Security level "${q(r.level, 40)}" enforced in namespace ${q(ns)} rejects the pods: ${q(r.violations[0], 160)}${r.violations.length > 1 ? ` (and ${r.violations.length - 1} more)` : ''}`,
        explanation: `Namespace ${q(ns)} enforces the Pod Security "${q(r.level, 40)}" level (its pod-security.kubernetes.io/enforce label), and the pod template violates it: ${q(r.violations.join('; '), 600)}. Set the securityContext fields it names, or, if the workload truly needs them, run it in a namespace with a less strict level.`,
        fix: 'Set the securityContext fields Pod Security asks for',
        confidence: 0.9,
      };
    case 'policy':
      return {
        summary: `ValidatingAdmissionPolicy ${q(r.policy)} (binding ${q(r.binding ?? '?')}) denies the pods: ${q(r.message, 160)}`,
        explanation: `The API server evaluates policy ${q(r.policy)} on every pod and denies these: ${q(r.message, 400)}. Change the pod template to satisfy it, or ask the policy's owner for an exception (its binding ${q(r.binding ?? '?')}).`,
        fix: `Change the template so policy ${q(r.policy)} admits it: ${q(r.message, 120)}`,
        confidence: 0.85,
      };
    case 'webhook':
      return {
        summary: `admission webhook ${q(r.webhook)} denies the pods: ${q(r.message, 160)}`,
        explanation: `A validating admission webhook (${q(r.webhook)}, e.g. Kyverno or Gatekeeper) rejects the controller's pods: ${q(r.message, 400)}. Change the template to satisfy its policy, or ask its owner for an exception.`,
        fix: `Change the template so ${q(r.webhook)} admits it: ${q(r.message, 120)}`,
        confidence: 0.85,
      };
    case 'limit-range':
      return {
        summary: `${limitRange ? `LimitRange ${q(limitRange)}` : "the namespace's LimitRange"} rejects the pods: ${r.violations
          .map((v) => `${v.bound} ${v.resource} per ${v.scope} is ${v.allowed} but the ${v.what} is ${v.actual}`)
          .slice(0, 2)
          .join('; ')}`,
        explanation: `${limitRange ? `LimitRange ${q(limitRange)}` : 'A LimitRange'} in namespace ${q(ns)} bounds what each ${r.violations[0]?.scope ?? 'Container'} may ask for, and the template is outside it. Bring the values inside the bounds, or change the LimitRange if the bound is wrong.`,
        fix: 'Bring the resources within the LimitRange',
        confidence: 0.9,
      };
    case 'service-account':
      return {
        summary: `ServiceAccount ${q(r.serviceAccount)} does not exist in namespace ${q(ns)}, so no pod can be created`,
        explanation: `The pod template runs as ServiceAccount ${q(r.serviceAccount)}, and the ServiceAccount admission plugin rejects pods whose account is missing. Create it, or correct serviceAccountName.`,
        fix: `Create ServiceAccount ${q(r.serviceAccount)} in namespace ${q(ns)}, or correct serviceAccountName`,
        confidence: 0.9,
      };
    case 'invalid':
      return {
        summary: `the API server rejects the pod spec as invalid: ${q(r.message, 200)}`,
        explanation: `The pod the controller builds from its template fails validation: ${q(r.message, 400)}. Correct the field it names.`,
        fix: `Correct ${q(r.field ?? 'the field the message names', 120)}`,
        confidence: 0.8,
      };
    case 'other':
      return {
        summary: `the API server rejects the pods: ${q(r.message, 200)}`,
        explanation: `Pod creation fails: ${q(r.message, 400)}`,
        fix: 'Correct what the message names',
        confidence: 0.5,
      };
  }
}

function diagnoseRejection(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  const event = incident.evidence.find((e) => e.kind === 'event' && e.reason === 'FailedCreate');
  const cond = incident.evidence.find((e) => e.field === 'status.conditions[type=ReplicaFailure]');
  // Evidence text is clipped; the event itself has the whole admission message (long with Pod Security).
  const full = event
    ? snapshot
        .eventsFor(event.source.kind, event.source.namespace, event.source.name)
        .find((e) => e.reason === 'FailedCreate')?.message
    : undefined;
  const message = full ?? event?.text ?? cond?.text ?? '';
  if (!message) return undefined;
  const rejection = rejectionFrom(message);
  const at = templateOf(snapshot, incident.workload);
  const prefix = at?.prefix ?? prefixFor(incident.workload.kind);
  const ns = incident.workload.namespace;
  const found: Found =
    rejection.by === 'pod-security'
      ? podSecurity(rejection.violations, at, prefix)
      : rejection.by === 'limit-range'
        ? limitRangeEdits(rejection.violations, at, prefix)
        : rejection.by === 'service-account'
          ? { fields: [`${prefix}.serviceAccountName`], edits: [], notes: [] }
          : rejection.by === 'invalid' && rejection.field
            ? { fields: [templateField(rejection.field, at, prefix)], edits: [], notes: [] }
            : rejection.by === 'policy' || rejection.by === 'webhook'
              ? { fields: celFields(rejection.message, at, prefix), edits: [], notes: [] }
              : { fields: [], edits: [], notes: [] };
  const limitRange =
    rejection.by === 'limit-range' && rejection.violations[0]
      ? limitRangeFor(snapshot, ns, rejection.violations[0])
      : undefined;
  const text = explain(rejection, ns, limitRange?.meta.name);
  const fixes: (SuggestedFix | undefined)[] = [
    found.edits.length > 0
      ? {
          summary: `${text.fix}: ${found.edits.map((e) => `${e.path.slice(e.path.lastIndexOf(']') + 2) || e.path}=${String(e.value)}`).join(', ')}`,
          edits: found.edits,
        }
      : { summary: text.fix },
    found.notes.length > 0 && found.edits.length > 0
      ? { summary: `Also: ${q(found.notes.join('; '), 240)}` }
      : undefined,
  ];
  const quoted: Evidence = {
    kind: 'event',
    source: event?.source ?? incident.workload,
    reason: 'FailedCreate',
    text: describeRejection(rejection),
  };
  return diagnosis({
    category: 'admission',
    summary: `${incident.workload.kind} ${q(incident.workload.name)} cannot create pods: ${text.summary}`,
    explanation: text.explanation,
    confidence: text.confidence,
    fields: found.fields,
    evidence: [...incident.evidence, quoted],
    fixes,
  });
}

export const admissionRule: DiagnosisRule = {
  types: ['PodCreationRejected'],
  diagnose: diagnoseRejection,
};
