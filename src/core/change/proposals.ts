// Proposals from diagnosis fixes: every fix with a concrete change (edits or a revision rollback)
// becomes one Proposal with a stable id, a fix kind, a risk tier and the fields it touches; advice
// stays advice. Proposals are de-duplicated by their change and ranked with learned success rates.
import { fixPatch, fixTarget } from '../diagnose/fixes';
import type { Incident } from '../model/incident';
import { ACT_API_VERSION, type FixKind, type Proposal, type ProposalChange, type RiskTier } from '../model/proposal';
import type { ObjectRef } from '../model/resources';
import type { RootCause, SpecEdit, SuggestedFix } from '../model/rootCause';
import { canonicalJson, sha256Hex } from './sha256';
import type { SuccessRates } from '../learning/outcomeStats';
import { parseQuantity } from '../model/quantity';
import { writtenField } from '../model/fieldPath';

export interface CauseOfIncident {
  incident: Incident;
  cause: RootCause;
}

export function fixKindOf(change: ProposalChange, target: Pick<ObjectRef, 'kind'>): FixKind {
  if (change.kind === 'rollbackToRevision') return 'revision-rollback';
  if (change.kind === 'restore') return change.template ? 'template' : 'other';
  if (target.kind === 'HorizontalPodAutoscaler') return 'hpa';
  const paths = change.edits.map((e) => e.path);
  const all = (re: RegExp) => paths.length > 0 && paths.every((p) => re.test(p));
  if (
    all(/\.resources\.limits\.memory$|\.resources\.requests\.memory$/) &&
    paths.some((p) => p.endsWith('.limits.memory'))
  )
    return 'memory-limit';
  if (all(/\.resources\.limits\.cpu$/)) return 'cpu-limit';
  if (all(/\.resources\.requests\.[^.]+$/)) return 'requests';
  if (all(/\.image$/)) return 'image';
  if (all(/\.(env|envFrom)\[|\.volumes\[|KeyRef\.|\.configMap\.|\.secret\./)) return 'config-reference';
  if (all(/^spec\.selector/)) return 'selector';
  if (all(/^spec\.replicas$/)) return 'replicas';
  if (all(/Probe\./)) return 'probe';
  if (all(/^spec\.template\./)) return 'template';
  return 'other';
}

/** The risk tier of a change on its target, with the reason shown next to it. */
export function riskOf(
  change: ProposalChange,
  target: Pick<ObjectRef, 'kind'>,
  kind: FixKind,
): { risk: RiskTier; reason: string } {
  if (target.kind === 'ValidatingWebhookConfiguration' || target.kind === 'MutatingWebhookConfiguration')
    return { risk: 'high', reason: 'changes cluster-wide admission policy' };
  if (target.kind === 'ResourceQuota' || target.kind === 'LimitRange')
    return { risk: 'high', reason: 'changes a quota' };
  if (kind === 'selector') return { risk: 'high', reason: 'changes which pods receive traffic' };
  if (target.kind === 'NetworkPolicy') return { risk: 'high', reason: 'widens what a NetworkPolicy admits' };
  if (change.kind === 'rollbackToRevision')
    return {
      risk: 'medium',
      reason: `starts a rollout to revision ${change.revision}'s pod template; replicas, the autoscaler and fields outside the template are not restored`,
    };
  if (change.kind === 'restore') return { risk: 'medium', reason: 'restores earlier values' };
  const edits = change.edits;
  if (edits.some((e) => /\.optional$/.test(e.path) && e.value === true))
    return { risk: 'high', reason: 'makes a configuration reference optional (the app may start without it)' };
  const scalar = (e: SpecEdit, path: RegExp) =>
    path.test(e.path) && typeof e.value === 'number' && typeof e.previous === 'number';
  if (
    edits.some(
      (e) => scalar(e, /^spec\.(replicas|maxReplicas|minReplicas)$/) && (e.value as number) < (e.previous as number),
    )
  )
    return { risk: 'high', reason: 'lowers capacity' };
  if (
    edits.every(
      (e) => scalar(e, /^spec\.(replicas|maxReplicas|minReplicas)$/) && (e.value as number) >= (e.previous as number),
    )
  )
    return { risk: 'low', reason: 'adds capacity, reversible' };
  const raisesLimit = (e: SpecEdit) =>
    /\.resources\.(limits|requests)\.[^.]+$/.test(e.path) &&
    (e.previous === undefined || (parseQuantity(e.value) ?? 0) > (parseQuantity(e.previous) ?? Infinity));
  if (kind === 'memory-limit' || kind === 'cpu-limit') {
    if (edits.every(raisesLimit))
      return { risk: 'low', reason: 'raises a limit (additive, reversible), rolls the pods' };
  }
  if (target.kind === 'HorizontalPodAutoscaler') return { risk: 'medium', reason: 'changes the autoscaler' };
  if (edits.some((e) => e.path.startsWith('spec.template.'))) return { risk: 'medium', reason: 'starts a rollout' };
  return { risk: 'medium', reason: 'changes the object spec' };
}

export function proposalId(groupId: string, targetUid: string, change: ProposalChange): string {
  const body = change.kind === 'patch' ? change.patch : change;
  return `p-${sha256Hex(canonicalJson([groupId, targetUid, change.kind, body])).slice(0, 16)}`;
}

function changeOf(fix: SuggestedFix): ProposalChange | undefined {
  if (fix.rollbackToRevision !== undefined) return { kind: 'rollbackToRevision', revision: fix.rollbackToRevision };
  const patch = fixPatch(fix);
  if (!patch || Object.keys(patch).length === 0) return undefined;
  return { kind: 'patch', edits: fix.edits!.map((e) => ({ ...e })), patch };
}

function fieldsOf(change: ProposalChange): string[] {
  if (change.kind === 'patch') return [...new Set(change.edits.map((e) => writtenField(e.path)))];
  if (change.kind === 'restore') return change.template ? ['spec.template'] : Object.keys(change.image);
  return ['spec.template'];
}

/**
 * Proposals for the causes of a target's open incidents. `uidOf` resolves the written object's
 * uid (from the snapshot); fixes whose target cannot be resolved are left out.
 */
export function proposalsFromCauses(
  causes: readonly CauseOfIncident[],
  uidOf: (ref: ObjectRef) => string | undefined,
  rates?: SuccessRates,
): Proposal[] {
  const byId = new Map<string, Proposal>();
  const order: Proposal[] = [];
  for (const { incident, cause } of causes) {
    const groupId = cause.groupId ?? incident.id;
    cause.fixes.forEach((fix, index) => {
      const change = changeOf(fix);
      if (!change) return;
      const ref = fixTarget(fix, incident);
      const uid = ref.uid ?? uidOf(ref);
      if (!uid) return;
      const target: ObjectRef = { kind: ref.kind, namespace: ref.namespace, name: ref.name, uid };
      const fixKind = fixKindOf(change, target);
      const { risk, reason } = riskOf(change, target, fixKind);
      const id = proposalId(groupId, uid, change);
      const existing = byId.get(id);
      if (existing) {
        if (!existing.incidents.includes(incident.id)) existing.incidents.push(incident.id);
        return;
      }
      const rate = rates?.rateOf(cause.category, fixKind);
      const p: Proposal = {
        apiVersion: ACT_API_VERSION,
        kind: 'Proposal',
        id,
        incidents: [incident.id],
        incidentType: incident.type,
        groupId,
        category: cause.category,
        fixKind,
        target,
        change,
        summary: fix.summary,
        risk,
        riskReason: reason,
        fields: fieldsOf(change),
        score: scoreOf(cause.confidence, index, risk, rate),
        ...(rate ? { successRate: rate } : {}),
      };
      byId.set(id, p);
      order.push(p);
    });
  }
  return rankProposals(order);
}

const RISK_PENALTY: Record<RiskTier, number> = { low: 0, medium: 0.05, high: 0.2 };

/**
 * The ranking score: the diagnosis' confidence and its own order of fixes, less a penalty per risk
 * tier, blended with the learned success rate of (cause category × fix kind) as samples accumulate.
 */
export function scoreOf(
  confidence: number,
  fixIndex: number,
  risk: RiskTier,
  rate?: { rate: number; samples: number },
): number {
  const prior = Math.max(0, Math.min(1, confidence)) * Math.pow(0.85, fixIndex) - RISK_PENALTY[risk];
  if (!rate || rate.samples === 0) return prior;
  const weight = rate.samples / (rate.samples + 3);
  return (1 - weight) * prior + weight * rate.rate;
}

/** Highest score first; ties keep their order (the diagnosis' own preference). */
export function rankProposals(proposals: readonly Proposal[]): Proposal[] {
  return proposals
    .map((p, i) => ({ p, i }))
    .sort((a, b) => b.p.score - a.p.score || a.i - b.i)
    .map(({ p }) => p);
}
