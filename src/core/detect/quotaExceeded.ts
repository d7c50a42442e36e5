// Controllers that cannot create pods because a ResourceQuota is used up.
import type { Detector, DetectContext } from './detector';
import type { Evidence, Finding } from '../model/incident';
import type { KubeEvent, ResourceQuota } from '../model/resources';
import { parseQuantity } from '../model/quantity';
import { clip, controllerWorkload, eventEvidence, finding, oneLine, RECENT_EVENT_MS, within } from './support';
import { refKey, refOf } from '../model/objectRef';
import { PodIndex } from './pods';
import { isPodOwnerKind } from '../model/workload';

const MARKER = 'exceeded quota';

/** The quota named in "... forbidden: exceeded quota: compute, requested: ...", if any. */
export function quotaNameFrom(message: string): string | undefined {
  const at = message.indexOf(`${MARKER}: `);
  if (at < 0) return undefined;
  const rest = message.slice(at + MARKER.length + 2, at + MARKER.length + 2 + 260);
  const name = rest.split(/[,\s]/)[0] ?? '';
  return /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) ? name : undefined;
}

/** Resources of a quota whose usage has reached the hard limit. */
export function exhaustedResources(q: ResourceQuota): string[] {
  return Object.entries(q.hard).flatMap(([resource, hardText]) => {
    const hard = parseQuantity(hardText);
    const used = parseQuantity(q.used[resource]);
    return hard !== undefined && used !== undefined && used >= hard
      ? [`${resource} ${q.used[resource]}/${hardText}`]
      : [];
  });
}

function quotaEvidence(q: ResourceQuota): Evidence {
  const full = exhaustedResources(q);
  return {
    kind: 'status',
    source: refOf('ResourceQuota', q.meta),
    field: 'status.used',
    text: clip(
      full.length > 0
        ? `used up: ${full.join(', ')}`
        : `within limits: ${Object.entries(q.hard)
            .map(([r, h]) => `${r} ${q.used[r] ?? '0'}/${h}`)
            .join(', ')}`,
    ),
  };
}

/** False when the controller has meanwhile created all the pods it wants (shared with the other FailedCreate detector). */
export function stillShort(ctx: DetectContext, e: KubeEvent): boolean {
  const { snapshot } = ctx;
  const inv = e.involved;
  if (inv.kind === 'ReplicaSet') {
    const rs = snapshot.get('ReplicaSet', inv.namespace, inv.name);
    if (rs) return snapshot.ownedBy('Pod', rs.meta.uid).filter((p) => !p.meta.deletedAt).length < rs.desired;
  }
  if (inv.kind === 'StatefulSet' || inv.kind === 'DaemonSet') {
    const w = snapshot.getWorkload(inv.kind, inv.namespace, inv.name);
    if (w) return w.ready < w.desired;
  }
  if (inv.kind === 'Job') {
    const job = snapshot.get('Job', inv.namespace, inv.name);
    if (job) return !job.conditions.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  }
  return true;
}

export const quotaExceededDetector: Detector = {
  types: ['QuotaExceeded'],
  detect(ctx: DetectContext): Finding[] {
    const { snapshot, now } = ctx;
    const index = PodIndex.of(snapshot);
    const groups = new Map<string, { events: KubeEvent[]; quota: string | undefined }>();
    for (const e of snapshot.list('Event')) {
      if (e.reason !== 'FailedCreate' || !isPodOwnerKind(e.involved.kind) || !e.message.includes(MARKER)) continue;
      if (!within(e.lastSeen, now, RECENT_EVENT_MS) || !stillShort(ctx, e)) continue;
      const quota = quotaNameFrom(e.message);
      const key = `${refKey(controllerWorkload(snapshot, e.involved))}\u0000${quota ?? ''}`;
      const group = groups.get(key);
      if (group) group.events.push(e);
      else groups.set(key, { events: [e], quota });
    }
    const out: Finding[] = [];
    for (const { events, quota } of groups.values()) {
      events.sort((a, b) => b.lastSeen.localeCompare(a.lastSeen));
      const latest = events[0]!;
      const workload = controllerWorkload(snapshot, latest.involved);
      const named = quota ? snapshot.get('ResourceQuota', workload.namespace, quota) : undefined;
      const quotas = named
        ? [named]
        : snapshot.list('ResourceQuota', workload.namespace).filter((q) => exhaustedResources(q).length > 0);
      const ready = index.readyOf(workload);
      const attempts = events.reduce((sum, e) => sum + e.count, 0);
      const full = quotas.flatMap(exhaustedResources);
      const summary = `${oneLine(workload.name)} cannot create pods: quota ${quota ? oneLine(quota, 63) : 'in the namespace'} exceeded${full.length > 0 ? ` (${oneLine(full.slice(0, 2).join(', '), 120)})` : ''}, ${attempts} failed attempts${ready === 0 ? ', no pod ready' : ''}`;
      out.push(
        finding(
          'QuotaExceeded',
          ready === 0 ? 'critical' : 'warning',
          workload,
          summary,
          [...events.slice(0, 3).map(eventEvidence), ...quotas.slice(0, 3).map(quotaEvidence)],
          quota,
        ),
      );
    }
    return out;
  },
};
