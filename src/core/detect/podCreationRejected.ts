// Controllers whose pods the API server rejects for reasons other than quota or an unreachable
// webhook: Pod Security admission, a policy (ValidatingAdmissionPolicy, a webhook that denies),
// LimitRange min/max, a missing ServiceAccount, an invalid spec. They exist only as FailedCreate
// events on the controller (and the Deployment's ReplicaFailure condition).
import type { Detector, DetectContext } from './detector';
import type { Finding } from '../model/incident';
import type { KubeEvent, ObjectRef } from '../model/resources';
import {
  condition,
  conditionEvidence,
  controllerWorkload,
  eventEvidence,
  finding,
  lastedAtLeast,
  oneLine,
  RECENT_EVENT_MS,
  within,
} from './support';
import { refKey } from '../model/objectRef';
import { PodIndex } from './pods';
import { stillShort } from './quotaExceeded';

const CONTROLLER_KINDS = ['ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicationController'];
/** Handled by their own detectors. */
const OTHER_FAMILIES = ['exceeded quota', 'failed calling webhook'];
/** A new namespace's ServiceAccount or a policy applied with the workload can take a moment to settle. */
export const REJECTION_GRACE_MS = 30 * 1000;

export type Rejection =
  | { by: 'pod-security'; level: string; violations: string[] }
  | { by: 'policy'; policy: string; binding?: string; message: string }
  | { by: 'webhook'; webhook: string; message: string }
  | { by: 'limit-range'; violations: LimitViolation[] }
  | { by: 'service-account'; serviceAccount: string }
  | { by: 'invalid'; field?: string; message: string }
  | { by: 'other'; message: string };

export interface LimitViolation {
  bound: 'maximum' | 'minimum';
  resource: string;
  scope: string;
  allowed: string;
  /** "limit" or "request" */
  what: string;
  actual: string;
}

/** The admission message after the pod name: what the API server said about the pod. */
function admissionText(message: string): string {
  const text = message.slice(0, 3000);
  const at = text.search(/\bis (forbidden|invalid): /);
  return at >= 0 ? text.slice(text.indexOf(':', at) + 2) : text.replace(/^Error creating: /, '');
}

/** What rejected a pod, read from a FailedCreate message. */
export function rejectionFrom(message: string): Rejection {
  const text = admissionText(message);
  const pss = /violates PodSecurity "([^"]{1,60})": ([\s\S]*)$/.exec(text);
  if (pss) return { by: 'pod-security', level: pss[1]!, violations: splitViolations(pss[2]!) };
  const vap = /ValidatingAdmissionPolicy '([^']{1,253})' with binding '([^']{1,253})' denied request: ([\s\S]*)$/.exec(
    text,
  );
  if (vap) return { by: 'policy', policy: vap[1]!, binding: vap[2]!, message: vap[3]!.trim() };
  const hook = /admission webhook "([^"]{1,253})" denied the request:? ?([\s\S]*)$/.exec(text);
  if (hook) return { by: 'webhook', webhook: hook[1]!, message: hook[2]!.trim() };
  const limits = [
    ...text.matchAll(
      /(maximum|minimum) (\S+) usage per (Container|Pod|PersistentVolumeClaim) is (\S+), but (limit|request) is (\S+?)[,.\]]?(?=[,\]\s]|$)/g,
    ),
  ];
  if (limits.length > 0) {
    return {
      by: 'limit-range',
      violations: limits.map((m) => ({
        bound: m[1] as 'maximum' | 'minimum',
        resource: m[2]!,
        scope: m[3]!,
        allowed: m[4]!,
        what: m[5]!,
        actual: m[6]!.replace(/[,.\]]+$/, ''),
      })),
    };
  }
  const sa = /serviceaccount "([^"]{1,253})" not found/.exec(text);
  if (sa) return { by: 'service-account', serviceAccount: sa[1]! };
  if (/\bis invalid: /.test(message)) {
    const field = /^((?:spec|metadata)\.[^:\s]{1,300}):/.exec(text);
    return { by: 'invalid', ...(field ? { field: field[1]! } : {}), message: text.trim() };
  }
  return { by: 'other', message: text.trim() };
}

/** "a (x), b (y)" → ["a (x)", "b (y)"]: commas inside parentheses and quotes stay. */
function splitViolations(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth = Math.max(0, depth - 1);
    else if (!quoted && depth === 0 && c === ',') {
      out.push(list.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(list.slice(start).trim());
  return out.filter((v) => v !== '').slice(0, 20);
}

export function rejectionKey(r: Rejection): string {
  switch (r.by) {
    case 'pod-security':
      return `pod-security:${r.level}`;
    case 'policy':
      return `policy:${r.policy}`;
    case 'webhook':
      return `webhook:${r.webhook}`;
    case 'service-account':
      return `service-account:${r.serviceAccount}`;
    default:
      return r.by;
  }
}

export function describeRejection(r: Rejection): string {
  switch (r.by) {
    case 'pod-security':
      return `Pod Security "${oneLine(r.level, 60)}" forbids ${oneLine(r.violations.join(', '), 200)}`;
    case 'policy':
      return `ValidatingAdmissionPolicy ${oneLine(r.policy, 100)} denies them: ${oneLine(r.message, 200)}`;
    case 'webhook':
      return `admission webhook ${oneLine(r.webhook, 100)} denies them: ${oneLine(r.message, 200)}`;
    case 'limit-range':
      return `LimitRange ${r.violations
        .map((v) => `${v.bound} ${v.resource} per ${v.scope} is ${v.allowed}, ${v.what} is ${v.actual}`)
        .slice(0, 2)
        .join('; ')}`;
    case 'service-account':
      return `ServiceAccount ${oneLine(r.serviceAccount, 100)} does not exist`;
    case 'invalid':
      return `the pod spec is invalid: ${oneLine(r.message, 200)}`;
    case 'other':
      return oneLine(r.message, 200);
  }
}

interface Group {
  workload: ObjectRef;
  rejection: Rejection;
  events: KubeEvent[];
}

export const podCreationRejectedDetector: Detector = {
  types: ['PodCreationRejected'],
  detect(ctx: DetectContext): Finding[] {
    const { snapshot, now } = ctx;
    const groups = new Map<string, Group>();
    for (const e of snapshot.list('Event')) {
      if (
        e.reason !== 'FailedCreate' ||
        !CONTROLLER_KINDS.includes(e.involved.kind) ||
        OTHER_FAMILIES.some((m) => e.message.includes(m))
      )
        continue;
      if (!within(e.lastSeen, now, RECENT_EVENT_MS) || !stillShort(ctx, e)) continue;
      const rejection = rejectionFrom(e.message);
      const workload = controllerWorkload(snapshot, e.involved);
      const key = `${refKey(workload)}\u0000${rejectionKey(rejection)}`;
      const group = groups.get(key);
      if (group) group.events.push(e);
      else groups.set(key, { workload, rejection, events: [e] });
    }
    const index = PodIndex.of(snapshot);
    const out: Finding[] = [];
    for (const { workload, rejection, events } of groups.values()) {
      events.sort((a, b) => b.lastSeen.localeCompare(a.lastSeen));
      const earliest = events.reduce((min, e) => (e.firstSeen < min ? e.firstSeen : min), events[0]!.firstSeen);
      const attempts = events.reduce((sum, e) => sum + e.count, 0);
      if (!lastedAtLeast(earliest, now, REJECTION_GRACE_MS) && attempts < 3) continue;
      const deployment =
        workload.kind === 'Deployment'
          ? snapshot.getWorkload('Deployment', workload.namespace, workload.name)
          : undefined;
      const replicaFailure = deployment ? condition(deployment.conditions, 'ReplicaFailure') : undefined;
      const ready = index.readyOf(workload);
      const summary = `${oneLine(workload.name)} cannot create pods: ${describeRejection(rejection)} (${attempts} failed attempts${ready === 0 ? ', no pod ready' : ''})`;
      out.push(
        finding(
          'PodCreationRejected',
          ready === 0 ? 'critical' : 'warning',
          workload,
          summary,
          [
            ...events.slice(0, 3).map(eventEvidence),
            replicaFailure?.status === 'True' ? conditionEvidence(workload, replicaFailure) : undefined,
          ],
          rejectionKey(rejection),
        ),
      );
    }
    // The Deployment's ReplicaFailure condition outlives the events (a scan long after they expired).
    for (const d of snapshot.list('Deployment')) {
      const failure = condition(d.conditions, 'ReplicaFailure');
      if (failure?.status !== 'True' || failure.reason !== 'FailedCreate' || !failure.message) continue;
      if (
        OTHER_FAMILIES.some((m) => failure.message!.includes(m)) ||
        d.ready >= d.desired ||
        !lastedAtLeast(failure.lastTransitionTime, now, REJECTION_GRACE_MS)
      )
        continue;
      const workload = { kind: 'Deployment', namespace: d.namespace, name: d.name, uid: d.uid };
      const rejection = rejectionFrom(failure.message);
      if (out.some((f) => refKey(f.workload) === refKey(workload))) continue;
      const summary = `${oneLine(d.name)} cannot create pods: ${describeRejection(rejection)} (ReplicaFailure since ${failure.lastTransitionTime ?? 'unknown'}${d.ready === 0 ? ', no pod ready' : ''})`;
      out.push(
        finding(
          'PodCreationRejected',
          d.ready === 0 ? 'critical' : 'warning',
          workload,
          summary,
          [conditionEvidence(workload, failure)],
          rejectionKey(rejection),
        ),
      );
    }
    return out;
  },
};
