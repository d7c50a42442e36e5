// Turns a proposal into the exact write (a WritePlan) against the object as it is now: a strategic
// merge patch for spec edits, a template replace for a revision rollback (`rollout undo`
// semantics, resolved to the ReplicaSet's template), or the before-image of a recorded change.
import { readImage, patchFromImage, staleReplacedLists } from '../../core/change/fieldImage';
import { canonicalJson, sha256Hex } from '../../core/change/sha256';
import { normalizeTemplate, templateHash } from '../../core/change/templates';
import type { FieldImage, Proposal, WritePlan } from '../../core/model/proposal';
import { ApiClient, apiVersionOf, isOk, messageOf, objectPath, resourceOf } from './apiClient';

type Obj = Record<string, any>;

export class PlanError extends Error {}

export interface PlannedWrite {
  plan: WritePlan;
  planHash: string;
  /** The object as read for planning (the "live" side of the diff). */
  live: Obj;
  before: FieldImage;
  /** For template replaces: the template put in and the one replaced. */
  template?: Obj;
}

export function planHashOf(plan: WritePlan): string {
  return sha256Hex(canonicalJson(plan));
}

/** Reads the target; a 404 or a uid other than the proposal's is a PlanError with a clear message. */
export async function readTarget(api: ApiClient, proposal: Pick<Proposal, 'target'>): Promise<Obj> {
  const t = proposal.target;
  const r = await api.read(t.kind, t.namespace, t.name);
  if (r.status === 404) throw new PlanError(`${t.kind} ${t.namespace}/${t.name} no longer exists`);
  if (!isOk(r)) throw new PlanError(`${t.kind} ${t.namespace}/${t.name} cannot be read: ${messageOf(r)}`);
  if (t.uid && r.body['metadata']?.['uid'] !== t.uid)
    throw new PlanError(
      `${t.kind} ${t.namespace}/${t.name} was deleted and created again since the proposal (uid changed)`,
    );
  return r.body;
}

async function revisionTemplate(api: ApiClient, live: Obj, revision: number): Promise<Obj> {
  const ns = live['metadata']['namespace'] as string;
  const uid = live['metadata']['uid'] as string;
  const r = await api.request('GET', objectPath('ReplicaSet', ns));
  if (!isOk(r)) throw new PlanError(`the ReplicaSets cannot be listed: ${messageOf(r)}`);
  const sets = ((r.body['items'] ?? []) as Obj[]).filter((rs) =>
    (rs['metadata']?.['ownerReferences'] ?? []).some((o: Obj) => o['uid'] === uid),
  );
  const rs = sets.find(
    (x) => x['metadata']?.['annotations']?.['deployment.kubernetes.io/revision'] === String(revision),
  );
  if (!rs?.['spec']?.['template']) {
    const have = sets
      .map((x) => x['metadata']?.['annotations']?.['deployment.kubernetes.io/revision'])
      .filter(Boolean)
      .join(', ');
    throw new PlanError(`the ReplicaSet of revision ${revision} is gone (revisions kept: ${have || 'none'})`);
  }
  const template = normalizeTemplate(rs['spec']['template']);
  if (templateHash(template) === templateHash(live['spec']['template']))
    throw new PlanError(`revision ${revision} is the current template: rolling back to it changes nothing`);
  return template;
}

/** Finds the ReplicaSet whose template hashes to `hash` (a masked ledger template is matched by hash). */
export async function templateByHash(
  api: ApiClient,
  namespace: string,
  ownerUid: string,
  hash: string,
): Promise<Obj | undefined> {
  const r = await api.request('GET', objectPath('ReplicaSet', namespace));
  if (!isOk(r)) return undefined;
  for (const rs of (r.body['items'] ?? []) as Obj[]) {
    if (!(rs['metadata']?.['ownerReferences'] ?? []).some((o: Obj) => o['uid'] === ownerUid)) continue;
    const t = rs['spec']?.['template'];
    if (t && templateHash(t) === hash) return normalizeTemplate(t);
  }
  return undefined;
}

/** The exact write for a proposal against the object as it is now. */
export async function planWrite(api: ApiClient, proposal: Proposal, restoreTemplate?: Obj): Promise<PlannedWrite> {
  const live = await readTarget(api, proposal);
  const meta = live['metadata'] as Obj;
  const t = proposal.target;
  let body: unknown;
  let patchType: WritePlan['patchType'] = 'strategic';
  let template: Obj | undefined;
  const change = proposal.change;
  if (change.kind === 'patch') {
    const stale = staleReplacedLists(change.edits, change.patch, live);
    if (stale.length > 0)
      throw new PlanError(
        `${t.kind} ${t.namespace}/${t.name} changed since the proposal was made: the patch would replace ${stale.join(', ')} with an older copy; wait for the proposal to refresh`,
      );
    body = change.patch;
  } else if (change.kind === 'rollbackToRevision') {
    if (t.kind !== 'Deployment') throw new PlanError('only a Deployment can be rolled back to a revision');
    template = await revisionTemplate(api, live, change.revision);
    patchType = 'json';
    body = [{ op: 'replace', path: '/spec/template', value: template }];
  } else if (change.template) {
    template = restoreTemplate;
    if (!template) throw new PlanError('the pod template to restore is not available');
    patchType = 'json';
    body = [{ op: 'replace', path: '/spec/template', value: template }];
  } else {
    body = patchFromImage(change.image, live);
  }
  if (t.kind === 'Deployment' && live['spec']?.['paused'] === true)
    throw new PlanError(`Deployment ${t.namespace}/${t.name} is paused: a change would not roll out; resume it first`);
  const fields = proposal.fields;
  const before = readImage(live, fields);
  const r = resourceOf(t.kind);
  const plan: WritePlan = {
    server: api.server,
    caHash: api.caHash,
    context: api.context,
    user: api.user,
    target: {
      kind: t.kind,
      namespace: t.namespace,
      name: t.name,
      uid: meta['uid'] as string,
      apiVersion: apiVersionOf(t.kind),
    },
    access: { verb: 'patch', group: r.group, resource: r.plural },
    patchType,
    body,
    preconditions: { generation: Number(meta['generation'] ?? 0), fields: before },
  };
  return { plan, planHash: planHashOf(plan), live, before, ...(template ? { template } : {}) };
}

/**
 * The body that is sent: the plan's body plus the change-cause and change-id annotations on the
 * object's metadata and the resourceVersion as precondition.
 */
export function bodyToSend(
  plan: WritePlan,
  live: Obj,
  resourceVersion: string,
  annotations: Record<string, string>,
): unknown {
  if (plan.patchType === 'strategic') {
    const b = structuredClone(plan.body) as Obj;
    b['metadata'] = {
      ...(b['metadata'] ?? {}),
      resourceVersion,
      annotations: { ...(b['metadata']?.['annotations'] ?? {}), ...annotations },
    };
    return b;
  }
  const ops = structuredClone(plan.body) as Obj[];
  ops.push({ op: 'replace', path: '/metadata/resourceVersion', value: resourceVersion });
  if (live['metadata']?.['annotations']) {
    for (const [k, v] of Object.entries(annotations))
      ops.push({ op: 'add', path: `/metadata/annotations/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, value: v });
  } else {
    ops.push({ op: 'add', path: '/metadata/annotations', value: annotations });
  }
  return ops;
}

/** Strips what the diff view should not show: managedFields, status, resourceVersion and the like. */
export function forDiff(object: Obj): Obj {
  const o = structuredClone(object);
  delete o['status'];
  if (o['metadata']) {
    for (const k of ['managedFields', 'resourceVersion', 'generation', 'creationTimestamp', 'uid'])
      delete o['metadata'][k];
  }
  return o;
}
