// Turns each evaluation's findings into incidents with a lifecycle: open while seen, resolved
// once absent for a while (so a flapping condition keeps one incident), reopened under the same
// id when it recurs, forgotten some time after it resolved.
import { Finding, Incident, incidentId, INCIDENT_TYPES } from '../model/incident';
import { bySeverity, isSeverity, SEVERITY_RANK } from '../model/severity';

export interface TrackerOptions {
  /** Consecutive reconciles a finding must be absent before its incident resolves. */
  resolveAfterMisses: number;
  /** …and at least this long since it was last seen. */
  resolveAfterMs: number;
  /** Resolved incidents are dropped this long after resolving. */
  retentionMs: number;
}

export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = {
  resolveAfterMisses: 2,
  resolveAfterMs: 10_000,
  retentionMs: 60 * 60 * 1000,
};

export interface ReconcileResult {
  opened: Incident[];
  /** Open incidents whose severity, summary or evidence changed. */
  updated: Incident[];
  resolved: Incident[];
}

interface Entry {
  incident: Incident;
  misses: number;
}

export interface TrackerState {
  version: 1;
  incidents: (Incident & { misses: number })[];
}

function sameContent(a: Finding, b: Finding): boolean {
  return (
    a.severity === b.severity && a.summary === b.summary && JSON.stringify(a.evidence) === JSON.stringify(b.evidence)
  );
}

function copyFinding(f: Finding): Finding {
  return {
    type: f.type,
    severity: f.severity,
    workload: { ...f.workload },
    ...(f.key !== undefined ? { key: f.key } : {}),
    summary: f.summary,
    evidence: f.evidence.map((e) => ({ ...e, source: { ...e.source } })),
  };
}

export class IncidentTracker {
  private readonly entries = new Map<string, Entry>();
  private readonly options: TrackerOptions;

  constructor(options: Partial<TrackerOptions> = {}) {
    this.options = { ...DEFAULT_TRACKER_OPTIONS, ...options };
  }

  reconcile(findings: readonly Finding[], now: Date): ReconcileResult {
    const at = now.toISOString();
    const result: ReconcileResult = { opened: [], updated: [], resolved: [] };
    const seen = new Map<string, Finding>();
    for (const f of findings) {
      const id = incidentId(f);
      const prior = seen.get(id);
      // Two findings for one id: keep the more severe one.
      if (!prior || SEVERITY_RANK[f.severity] > SEVERITY_RANK[prior.severity]) seen.set(id, f);
    }
    for (const [id, f] of seen) {
      const entry = this.entries.get(id);
      if (!entry) {
        const incident: Incident = { ...copyFinding(f), id, status: 'open', firstSeen: at, lastSeen: at };
        this.entries.set(id, { incident, misses: 0 });
        result.opened.push(incident);
        continue;
      }
      const wasResolved = entry.incident.status === 'resolved';
      const changed = !sameContent(entry.incident, f);
      const { firstSeen } = entry.incident;
      const incident: Incident = { ...copyFinding(f), id, status: 'open', firstSeen, lastSeen: at };
      entry.incident = incident;
      entry.misses = 0;
      if (wasResolved) result.opened.push(incident);
      else if (changed) result.updated.push(incident);
    }
    for (const [id, entry] of this.entries) {
      if (seen.has(id)) continue;
      const incident = entry.incident;
      if (incident.status === 'open') {
        entry.misses++;
        const since = now.getTime() - Date.parse(incident.lastSeen);
        if (entry.misses >= this.options.resolveAfterMisses && !(since < this.options.resolveAfterMs)) {
          entry.incident = { ...incident, status: 'resolved', resolvedAt: at };
          result.resolved.push(entry.incident);
        }
      } else if (!(now.getTime() - Date.parse(incident.resolvedAt ?? incident.lastSeen) < this.options.retentionMs)) {
        this.entries.delete(id);
      }
    }
    return result;
  }

  get retentionMs(): number {
    return this.options.retentionMs;
  }

  open(): Incident[] {
    return this.all().filter((i) => i.status === 'open');
  }

  get(id: string): Incident | undefined {
    return this.entries.get(id)?.incident;
  }

  /** Open and retained resolved incidents, most severe and most recent first. */
  all(): Incident[] {
    return [...this.entries.values()]
      .map((e) => e.incident)
      .sort((a, b) => bySeverity(a, b) || b.lastSeen.localeCompare(a.lastSeen) || a.id.localeCompare(b.id));
  }

  toJSON(): TrackerState {
    return { version: 1, incidents: [...this.entries.values()].map((e) => ({ ...e.incident, misses: e.misses })) };
  }

  /** Restores persisted state; malformed entries are skipped rather than trusted. */
  static fromJSON(data: unknown, options: Partial<TrackerOptions> = {}): IncidentTracker {
    const tracker = new IncidentTracker(options);
    const list = data && typeof data === 'object' ? (data as { incidents?: unknown }).incidents : undefined;
    if (!Array.isArray(list)) return tracker;
    for (const raw of list) {
      const incident = validIncident(raw);
      if (!incident) continue;
      const misses = typeof (raw as { misses?: unknown }).misses === 'number' ? (raw as { misses: number }).misses : 0;
      tracker.entries.set(incident.id, { incident, misses });
    }
    return tracker;
  }
}

function isString(v: unknown): v is string {
  return typeof v === 'string';
}

function validIncident(raw: unknown): Incident | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  const w = r['workload'] as Record<string, unknown> | undefined;
  if (!isString(r['id']) || !isString(r['type']) || !(INCIDENT_TYPES as readonly string[]).includes(r['type']))
    return undefined;
  if (!isSeverity(r['severity'])) return undefined;
  if (r['status'] !== 'open' && r['status'] !== 'resolved') return undefined;
  if (!w || typeof w !== 'object' || !isString(w['kind']) || !isString(w['namespace']) || !isString(w['name']))
    return undefined;
  if (!isString(r['summary']) || !isString(r['firstSeen']) || !isString(r['lastSeen']) || !Array.isArray(r['evidence']))
    return undefined;
  const incident: Record<string, unknown> = { ...r };
  delete incident['misses'];
  return incident as unknown as Incident;
}
