// The only place the act loop writes to a cluster: a confirmed plan, sent with the resourceVersion
// that was re-read as precondition and NimbusGuard's change-cause / change-id annotations; a
// Kubernetes Event on the target for every apply and rollback; and the rollout followed after it.
import {
  CHANGE_CAUSE_ANNOTATION,
  CHANGE_ID_ANNOTATION,
  FIELD_MANAGER,
  type WritePlan,
} from '../../core/model/proposal';
import { isWorkloadKind } from '../../core/model/workload';
import { ApiClient, isOk, messageOf, objectPath, type ApiResponse } from './apiClient';
import { bodyToSend } from './writePlan';

type Obj = Record<string, any>;

export function changeAnnotations(changeId: string, cause: string): Record<string, string> {
  return { [CHANGE_CAUSE_ANNOTATION]: `nimbusguard: ${cause}`.slice(0, 1000), [CHANGE_ID_ANNOTATION]: changeId };
}

export class WriteError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Sends the plan for real. A 409 means the object changed after it was re-read. */
export async function sendWrite(
  api: ApiClient,
  plan: WritePlan,
  live: Obj,
  annotations: Record<string, string>,
): Promise<ApiResponse> {
  const t = plan.target;
  const r = await api.request('PATCH', objectPath(t.kind, t.namespace, t.name), {
    body: bodyToSend(plan, live, String(live['metadata']['resourceVersion']), annotations),
    patchType: plan.patchType,
    query: { fieldManager: FIELD_MANAGER, fieldValidation: 'Strict' },
  });
  if (!isOk(r)) throw new WriteError(`the write was refused (${r.status}): ${messageOf(r)}`, r.status);
  return r;
}

/** A Kubernetes Event on the target, so `kubectl describe` shows what NimbusGuard did. Best effort. */
export async function recordEvent(
  api: ApiClient,
  plan: WritePlan,
  reason: 'NimbusGuardApplied' | 'NimbusGuardRolledBack' | 'NimbusGuardApplyFailed',
  message: string,
): Promise<string | undefined> {
  const t = plan.target;
  const now = new Date().toISOString();
  const event = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { generateName: `${t.name.slice(0, 200)}.nimbusguard-`, namespace: t.namespace },
    involvedObject: { apiVersion: t.apiVersion, kind: t.kind, namespace: t.namespace, name: t.name, uid: t.uid },
    reason,
    message: message.slice(0, 1000),
    type: reason === 'NimbusGuardApplyFailed' ? 'Warning' : 'Normal',
    source: { component: 'nimbusguard' },
    reportingComponent: 'nimbusguard',
    reportingInstance: 'nimbusguard',
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
  try {
    const r = await api.request('POST', objectPath('Event', t.namespace), { body: event });
    return isOk(r) ? undefined : `the Event could not be recorded: ${messageOf(r)}`;
  } catch (error) {
    return `the Event could not be recorded: ${error instanceof Error ? error.message : String(error)}`;
  }
}

export type RolloutState = 'complete' | 'failed' | 'unfinished' | 'none';

/** The rollout of a Deployment/StatefulSet/DaemonSet after a write, as `kubectl rollout status` reads it. */
export function rolloutState(kind: string, object: Obj, generation: number): { state: RolloutState; detail: string } {
  const spec = (object['spec'] ?? {}) as Obj;
  const status = (object['status'] ?? {}) as Obj;
  if (!isWorkloadKind(kind)) return { state: 'none', detail: 'no rollout for this kind' };
  if (Number(status['observedGeneration'] ?? 0) < generation)
    return { state: 'unfinished', detail: 'the controller has not seen the change yet' };
  if (kind === 'Deployment') {
    const progressing = ((status['conditions'] ?? []) as Obj[]).find((c) => c['type'] === 'Progressing');
    if (progressing?.['reason'] === 'ProgressDeadlineExceeded')
      return { state: 'failed', detail: `progress deadline exceeded: ${String(progressing['message'] ?? '')}` };
    const want = Number(spec['replicas'] ?? 1);
    const updated = Number(status['updatedReplicas'] ?? 0);
    const total = Number(status['replicas'] ?? 0);
    const available = Number(status['availableReplicas'] ?? 0);
    if (updated < want) return { state: 'unfinished', detail: `${updated} of ${want} replicas updated` };
    if (total > updated) return { state: 'unfinished', detail: `${total - updated} old replicas pending termination` };
    if (available < updated)
      return { state: 'unfinished', detail: `${available} of ${updated} updated replicas available` };
    return { state: 'complete', detail: `${updated} replicas updated and available` };
  }
  if (kind === 'StatefulSet') {
    const want = Number(spec['replicas'] ?? 1);
    const ready = Number(status['readyReplicas'] ?? 0);
    const same = status['updateRevision'] === status['currentRevision'];
    return same && ready >= want
      ? { state: 'complete', detail: `${ready} replicas ready` }
      : { state: 'unfinished', detail: `${ready}/${want} ready` };
  }
  const desired = Number(status['desiredNumberScheduled'] ?? 0);
  const updated = Number(status['updatedNumberScheduled'] ?? 0);
  const available = Number(status['numberAvailable'] ?? 0);
  return updated >= desired && available >= desired
    ? { state: 'complete', detail: `${available} pods available` }
    : { state: 'unfinished', detail: `${updated}/${desired} updated` };
}

/** Polls the target until its rollout completes or fails, or `deadline` (epoch ms) passes. */
export async function followRollout(
  api: ApiClient,
  plan: WritePlan,
  generation: number,
  deadline: number,
  signal?: AbortSignal,
): Promise<{ state: RolloutState; detail: string }> {
  const t = plan.target;
  let last: { state: RolloutState; detail: string } = { state: 'unfinished', detail: 'not read yet' };
  while (!signal?.aborted) {
    const r = await api.read(t.kind, t.namespace, t.name).catch(() => undefined);
    if (r && isOk(r)) {
      last = rolloutState(t.kind, r.body, generation);
      if (last.state !== 'unfinished') return last;
    }
    if (Date.now() >= deadline) return last;
    await new Promise((res) => setTimeout(res, Math.min(1000, Math.max(0, deadline - Date.now()))));
  }
  return last;
}
