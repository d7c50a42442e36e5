// Rollback of a recorded change, prepared as a proposal like any other: the fields NimbusGuard
// changed get their before-image back (absent fields removed; a revision rollback gets its whole
// previous pod template by a replace), refused when the fields drifted from NimbusGuard's values or
// a later change touched them, unless forced. The restore then goes through verify and approve.
import type { ApiClient } from '../cluster/actions/apiClient';
import { isOk } from '../cluster/actions/apiClient';
import { templateByHash } from '../cluster/actions/writePlan';
import { imageDiff, readImage } from '../core/change/fieldImage';
import { laterChangesOnFields } from '../core/change/ledgerFold';
import { maskFieldValue, templateHash } from '../core/change/templates';
import { ACT_API_VERSION, type FieldImage, type Proposal } from '../core/model/proposal';
import type { Ledger } from './ledger';

export type RollbackPreparation =
  | { ok: true; proposal: Proposal; restoreTemplate?: Record<string, unknown>; drift: string[]; notNewest: string[] }
  | {
      ok: false;
      reason: 'unknown' | 'not-applied' | 'drift' | 'not-newest' | 'unrestorable' | 'gone';
      message: string;
      drift?: { path: string; before: unknown; after: unknown; live: unknown }[];
    };

function maskImage(image: FieldImage): FieldImage {
  const out: FieldImage = {};
  for (const [p, f] of Object.entries(image))
    out[p] = f.present ? { present: true, value: maskFieldValue(p, f.value) } : f;
  return out;
}

/**
 * A restore proposal for a recorded change: the fields NimbusGuard changed get their before-image
 * back (absent fields removed; a template replace gets its whole previous template). Refused when
 * the fields no longer hold NimbusGuard's values (drift) or a later change touched them, unless `force`.
 */
export async function prepareRollback(
  api: ApiClient,
  ledger: Ledger,
  changeId: string,
  opts: { force?: boolean } = {},
): Promise<RollbackPreparation> {
  const changes = ledger.changes();
  const change = changes.find((c) => c.id === changeId);
  if (!change) return { ok: false, reason: 'unknown', message: `no change ${changeId} in the ledger of this cluster` };
  if (change.status !== 'applied' || !change.after)
    return {
      ok: false,
      reason: 'not-applied',
      message: `change ${changeId} is ${change.status}, nothing to roll back`,
    };
  const t = change.plan.target;
  const r = await api.read(t.kind, t.namespace, t.name);
  if (!isOk(r) || r.body['metadata']?.['uid'] !== t.uid)
    return {
      ok: false,
      reason: 'gone',
      message: `${t.kind} ${t.namespace}/${t.name} no longer exists as it was when the change was made`,
    };
  const template = change.beforeTemplate !== undefined;
  const fields = template ? ['spec.template'] : change.proposal.fields;
  const liveImage = readImage(r.body, fields);
  let driftPaths: string[];
  if (template) {
    driftPaths =
      templateHash(r.body['spec']['template']) ===
      (change.afterTemplate?.['nimbusguard.dev/template-hash'] as string | undefined)
        ? []
        : ['spec.template'];
  } else {
    driftPaths = imageDiff(change.after, maskImage(liveImage));
  }
  const drift = driftPaths.map((path) => ({
    path,
    before: change.before[path],
    after: change.after?.[path],
    live: liveImage[path],
  }));
  const later = laterChangesOnFields(changes, change).map((c) => c.id);
  if (!opts.force && later.length > 0)
    return {
      ok: false,
      reason: 'not-newest',
      message: `later changes touched the same fields (${later.join(', ')}): roll those back first, or use --force`,
    };
  if (!opts.force && drift.length > 0)
    return {
      ok: false,
      reason: 'drift',
      message: `the fields changed since NimbusGuard set them: ${driftPaths.join(', ')} (use --force to restore anyway)`,
      drift,
    };
  let restoreTemplate: Record<string, unknown> | undefined;
  if (template) {
    const hash = change.beforeTemplate!['nimbusguard.dev/template-hash'] as string;
    restoreTemplate = await templateByHash(api, t.namespace, t.uid, hash);
    if (!restoreTemplate)
      return {
        ok: false,
        reason: 'unrestorable',
        message: 'the ReplicaSet holding the previous pod template is gone, so the template cannot be restored exactly',
      };
  } else if (
    Object.values(change.before).some((f) => f.present && typeof f.value === 'string' && f.value.startsWith('masked:'))
  ) {
    return {
      ok: false,
      reason: 'unrestorable',
      message: 'the before-image holds masked values (literal env or Secret data): restore them from the manifest',
    };
  }
  const proposal: Proposal = {
    apiVersion: ACT_API_VERSION,
    kind: 'Proposal',
    id: `rb-${changeId.replace(/^c-/, '')}`,
    incidents: [],
    incidentType: change.proposal.incidentType,
    groupId: `rollback:${changeId}`,
    category: 'rollback',
    fixKind: template ? 'template' : change.proposal.fixKind,
    target: { kind: t.kind, namespace: t.namespace, name: t.name, uid: t.uid },
    change: {
      kind: 'restore',
      changeId,
      image: change.before,
      ...(restoreTemplate ? { template: restoreTemplate } : {}),
    },
    summary: `Roll back ${changeId}: ${change.proposal.summary}`,
    risk: 'medium',
    riskReason: template
      ? 'replaces the pod template with the one before the change (starts a rollout)'
      : 'restores the earlier values',
    fields,
    score: 0,
  };
  return { ok: true, proposal, ...(restoreTemplate ? { restoreTemplate } : {}), drift: driftPaths, notNewest: later };
}
