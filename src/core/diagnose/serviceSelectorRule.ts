// Services without endpoints: either the selector matches no pod (compared with the nearest label
// set the namespace's pods carry), or it matches pods that are not ready (then their trouble is the
// cause, explained by the pod-level rules).
import type { Evidence } from '../model/incident';
import type { ObjectRef } from '../model/resources';
import { refKey } from '../model/objectRef';
import type { SpecEdit, SuggestedFix } from '../model/rootCause';
import { clip, matchesSelector, selectorText } from '../detect/support';
import { isTerminalPod, podsByNamespace, PodIndex } from '../detect/pods';
import type { TargetedFix } from './fixes';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { delegateToPods } from './delegate';
import { diagnosis, keyPath, q, type Diagnosis } from './ruleSupport';

export interface NearestLabels {
  labels: Record<string, string>;
  matching: number;
  /** Selector keys whose value differs from the label set, with the value the pods carry. */
  differing: { key: string; want: string; have: string }[];
  missing: string[];
}

/** The label set among `sets` that agrees with the most selector keys (then shares the most keys). */
export function nearestLabelSet(
  selector: Record<string, string>,
  sets: readonly Record<string, string>[],
): NearestLabels | undefined {
  let best: NearestLabels | undefined;
  let bestShared = -1;
  for (const labels of sets) {
    const entries = Object.entries(selector);
    const has = (k: string) => Object.prototype.hasOwnProperty.call(labels, k);
    const matching = entries.filter(([k, v]) => has(k) && labels[k] === v).length;
    const shared = entries.filter(([k]) => has(k)).length;
    if (!best || matching > best.matching || (matching === best.matching && shared > bestShared)) {
      best = {
        labels,
        matching,
        differing: entries
          .filter(([k, v]) => has(k) && labels[k] !== v)
          .map(([key, want]) => ({ key, want, have: labels[key]! })),
        missing: entries.filter(([k]) => !has(k)).map(([k]) => k),
      };
      bestShared = shared;
    }
  }
  return best && (best.matching > 0 || best.differing.length > 0) ? best : undefined;
}

function diagnoseService(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  const svc = snapshot.get('Service', incident.workload.namespace, incident.workload.name);
  if (!svc) return undefined;
  const pods = (podsByNamespace(snapshot).get(svc.meta.namespace) ?? []).filter((p) => !isTerminalPod(p));
  const matching = pods.filter((p) => matchesSelector(svc.selector, p.meta.labels));
  const selectorEvidence: Evidence = {
    kind: 'spec',
    source: incident.workload,
    field: 'spec.selector',
    text: clip(`selector ${selectorText(svc.selector)}`),
  };
  if (matching.length > 0) {
    const index = PodIndex.of(snapshot);
    const owners = new Map<string, ObjectRef>();
    for (const p of matching) {
      const o = index.ownerOf(p);
      owners.set(refKey(o), o);
    }
    const owner = [...owners.values()][0]!;
    const inner = delegateToPods(ctx, owner);
    const ownerText = `${owner.kind} ${q(owner.name)}`;
    return diagnosis({
      category: inner?.category ?? 'readiness-probe',
      summary: `the selector matches ${matching.length} pod(s) of ${ownerText}, none ready${inner ? `: ${inner.summary}` : ''}`,
      explanation: `Service ${q(svc.meta.name)} selects the right pods, but a pod gets endpoints only when ready. ${inner ? inner.explanation : 'Why the pods are not ready is not clear from the snapshot.'}`,
      confidence: inner ? inner.confidence * 0.9 : 0.5,
      fields: [],
      evidence: [selectorEvidence, ...incident.evidence.filter((e) => e.kind === 'status'), ...(inner?.evidence ?? [])],
      fixes: (inner?.fixes ?? [{ summary: `Find out why the pods of ${ownerText} are not ready` }]).map(
        (f): TargetedFix => ({ ...f, summary: `On ${ownerText}: ${f.summary}`, target: owner }),
      ),
    });
  }
  const sets = new Map<string, Record<string, string>>();
  for (const p of pods) sets.set(JSON.stringify(Object.entries(p.meta.labels).sort()), p.meta.labels);
  for (const w of snapshot.workloadsIn(svc.meta.namespace))
    sets.set(JSON.stringify(Object.entries(w.template.labels).sort()), w.template.labels);
  const nearest = nearestLabelSet(svc.selector, [...sets.values()]);
  if (!nearest) {
    return diagnosis({
      category: 'selector-mismatch',
      summary: `no pod in ${q(svc.meta.namespace)} carries any of the selector's labels (${q(selectorText(svc.selector), 120)})`,
      explanation:
        'Nothing in the namespace looks like what the Service selects: the backing workload is missing, in another namespace, or labelled entirely differently.',
      confidence: 0.6,
      fields: ['spec.selector'],
      evidence: [selectorEvidence, ...incident.evidence],
      fixes: [{ summary: `Deploy the workload ${q(svc.meta.name)} should route to, or correct the selector` }],
    });
  }
  const edits: SpecEdit[] = nearest.differing.map((d) => ({
    path: keyPath('spec.selector', d.key),
    value: d.have,
    previous: d.want,
  }));
  const diffText = [
    ...nearest.differing.map(
      (d) => `${q(d.key, 60)}=${q(d.want, 60)} but the pods have ${q(d.key, 60)}=${q(d.have, 60)}`,
    ),
    ...nearest.missing.map((k) => `the pods have no label ${q(k, 60)}`),
  ].join('; ');
  const fixes: SuggestedFix[] = [];
  if (edits.length > 0 && nearest.missing.length === 0)
    fixes.push({
      summary: `Set the selector to ${q(nearest.differing.map((d) => `${d.key}=${d.have}`).join(', '), 160)} to match the pods`,
      edits,
    });
  else if (edits.length > 0)
    fixes.push({
      summary: `Set ${q(edits.map((e) => `${e.path}: ${e.value}`).join(', '), 160)} and drop selector keys ${q(nearest.missing.join(', '), 120)} the pods lack`,
      edits,
    });
  fixes.push({ summary: 'Or relabel the pods (their workload template) to match the selector' });
  return diagnosis({
    category: 'selector-mismatch',
    summary: `selector ${q(selectorText(svc.selector), 120)} matches no pod: ${diffText}`,
    explanation: `The nearest label set in ${q(svc.meta.namespace)} is ${q(selectorText(nearest.labels), 200)}, agreeing on ${nearest.matching} of ${Object.keys(svc.selector).length} selector keys.`,
    confidence: nearest.differing.length > 0 ? 0.85 : 0.7,
    fields: [
      ...nearest.differing.map((d) => keyPath('spec.selector', d.key)),
      ...nearest.missing.map((k) => keyPath('spec.selector', k)),
      'spec.selector',
    ],
    evidence: [
      selectorEvidence,
      { kind: 'status', source: incident.workload, text: clip(`nearest pod labels: ${selectorText(nearest.labels)}`) },
      ...incident.evidence.filter((e) => e.kind === 'status'),
    ],
    fixes,
  });
}

export const serviceSelectorRule: DiagnosisRule = {
  types: ['ServiceNoEndpoints'],
  diagnose: diagnoseService,
};
