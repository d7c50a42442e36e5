// How `fix`, `rollback` and `history` print: lines for people, one stable JSON document for scripts.
import { describeField } from '../core/change/fieldImage';
import type { Incident } from '../core/model/incident';
import type { ChangeRecord, FieldImage, Outcome, Proposal, Verdict } from '../core/model/proposal';
import { printable } from './scanOutput';

export function proposalJson(p: Proposal) {
  const c = p.change;
  const change =
    c.kind === 'patch'
      ? { patch: c.patch }
      : c.kind === 'rollbackToRevision'
        ? { rollbackToRevision: c.revision }
        : { restore: { changeId: c.changeId, ...(c.template ? { template: true } : { image: c.image }) } };
  return {
    id: p.id,
    summary: p.summary,
    target: p.target,
    ...change,
    risk: p.risk,
    riskReason: p.riskReason,
    fields: p.fields,
    fixKind: p.fixKind,
    category: p.category,
    incidents: p.incidents,
  };
}

export function verdictJson(v: Verdict) {
  return {
    result: v.result,
    planHash: v.planHash,
    verifiedAt: v.verifiedAt,
    checks: v.checks.map((c) => ({
      name: c.name,
      result: c.result,
      detail: c.detail,
      durationMs: c.durationMs,
      ...(c.warnings.length ? { warnings: c.warnings } : {}),
      ...(c.evidence.length ? { evidence: c.evidence } : {}),
      ...(c.timeline?.length ? { timeline: c.timeline.map(({ at, step, text }) => ({ at, step, text })) } : {}),
    })),
  };
}

export function changeJson(c: ChangeRecord) {
  return {
    id: c.id,
    status: c.status,
    at: c.at,
    who: c.who,
    context: c.context,
    target: c.plan.target,
    summary: c.proposal.summary,
    before: c.before,
    after: c.after ?? {},
    ...(c.rollbackOf ? { rollbackOf: c.rollbackOf } : {}),
    ...(c.rolledBackBy ? { rolledBackBy: c.rolledBackBy } : {}),
    ...(c.outcome
      ? {
          outcome: {
            result: c.outcome.result,
            detail: c.outcome.detail,
            ...(c.outcome.learned ? { learned: c.outcome.learned } : {}),
          },
        }
      : {}),
    ...(c.proposal.learning ? { learning: c.proposal.learning } : {}),
    ...(c.error ? { error: c.error } : {}),
    ...(c.manifest ? { manifest: c.manifest } : {}),
  };
}

export function outcomeJson(o: Outcome) {
  return {
    result: o.result,
    detail: o.detail,
    rollout: o.rollout,
    confounders: o.confounders,
    newIncidents: o.newIncidents,
    elapsedMs: o.elapsedMs,
    ...(o.learned ? { learned: o.learned } : {}),
  };
}

/** The Q-table update a Q-learning scaling outcome made. */
export function learnedLine(l: NonNullable<Outcome['learned']>): string {
  return `learned: Q(${l.state}, ${l.action}) ${l.before.toFixed(3)} → ${l.after.toFixed(3)} (reward ${l.reward.toFixed(3)}${l.observed ? '' : ', demand after the change estimated'}; next state ${l.next})`;
}

export function incidentBrief(i: Incident) {
  return {
    id: i.id,
    type: i.type,
    severity: i.severity,
    namespace: i.workload.namespace,
    kind: i.workload.kind,
    name: i.workload.name,
    summary: i.summary,
  };
}

export function proposalLines(proposals: readonly Proposal[]): string[] {
  return proposals.map((p, i) => {
    const rate = p.successRate ? `, ${Math.round(p.successRate.rate * 100)}% of ${p.successRate.samples} earlier` : '';
    return `  ${i + 1}. ${printable(p.summary)}  [${p.risk} risk${rate}]  ${p.target.kind}/${p.target.name}  ${p.id}`;
  });
}

export function imageLines(before: FieldImage, after: FieldImage | undefined): string[] {
  return Object.keys(before).map((path) => `  ${printable(describeField(path, before[path], after?.[path]))}`);
}

export function historyLine(c: ChangeRecord): string {
  const t = c.plan.target;
  const learned = c.outcome?.learned
    ? ` [Q(${c.outcome.learned.state}, ${c.outcome.learned.action}) ${c.outcome.learned.before.toFixed(3)} → ${c.outcome.learned.after.toFixed(3)}]`
    : '';
  const outcome = c.outcome ? ` → ${c.outcome.result}${learned}` : '';
  const manifest = c.manifest === 'cluster-only' ? '  [cluster only]' : '';
  return `${c.at}  ${c.id}  ${c.status.padEnd(11)} ${t.kind}/${t.namespace}/${t.name}  ${printable(c.proposal.summary)}${outcome}${manifest}  (${printable(c.who)}, ${printable(c.context)})`;
}
