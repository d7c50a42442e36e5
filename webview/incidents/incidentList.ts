// What the incident table shows, as a pure function of the rows, the filters, the sort and the
// folded groups: filtered rows, sorted, with incidents of one correlation group under a group row
// (open unless the user folded it). No DOM here, so it is unit-tested and cheap enough to run on every keystroke.
import { SEVERITY_RANK } from '../../src/core/model/severity';
import type { IncidentFilters, IncidentRow, IncidentSort } from '../../src/ui/incidentsPanel/protocol';

export type DisplayRow =
  | { kind: 'incident'; row: IncidentRow; /** 1 at top level, 2 inside a group. */ level: 1 | 2 }
  | {
      kind: 'group';
      groupId: string;
      members: IncidentRow[];
      expanded: boolean;
      /** The member that sorts first. */ lead: IncidentRow;
    };

export const NO_FILTERS: IncidentFilters = { text: '', namespace: '', severity: '', type: '' };
export const DEFAULT_SORT: IncidentSort = { column: 'severity', descending: true };

const searchKeys = new WeakMap<IncidentRow, string>();

function searchKey(row: IncidentRow): string {
  let key = searchKeys.get(row);
  if (key === undefined) {
    const w = row.workload;
    key = [
      row.type,
      row.severity,
      row.status,
      w.kind,
      w.namespace,
      w.name,
      `${w.namespace}/${w.name}`,
      row.summary,
      row.cause ?? '',
    ]
      .join('\n')
      .toLowerCase();
    searchKeys.set(row, key);
  }
  return key;
}

const searchWords = (text: string): string[] =>
  text
    .trim()
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w.length > 0);

export function matches(row: IncidentRow, filters: IncidentFilters, words = searchWords(filters.text)): boolean {
  if (filters.namespace && row.workload.namespace !== filters.namespace) return false;
  if (filters.severity && row.severity !== filters.severity) return false;
  if (filters.type && row.type !== filters.type) return false;
  if (words.length === 0) return true;
  const key = searchKey(row);
  return words.every((w) => key.includes(w));
}

const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
// Parsed once per time string: a sort compares each row about log2(n) times.
const parsedTimes = new Map<string, number>();
const time = (iso: string) => {
  let t = parsedTimes.get(iso);
  if (t === undefined) {
    t = Date.parse(iso);
    if (!Number.isFinite(t)) t = 0;
    if (parsedTimes.size > 20_000) parsedTimes.clear();
    parsedTimes.set(iso, t);
  }
  return t;
};

function primary(a: IncidentRow, b: IncidentRow, sort: IncidentSort): number {
  switch (sort.column) {
    case 'severity':
      return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity];
    case 'type':
      return text(a.type, b.type);
    case 'workload':
      return text(`${a.workload.name}\u0000${a.workload.kind}`, `${b.workload.name}\u0000${b.workload.kind}`);
    case 'namespace':
      return text(a.workload.namespace, b.workload.namespace);
    case 'age':
      // Older is larger.
      return time(b.firstSeen) - time(a.firstSeen);
    case 'cause':
      return text(a.cause ?? '', b.cause ?? '');
  }
}

/** The table's order: the chosen column, then open before resolved, most severe, most recent, id. */
export function compareRows(a: IncidentRow, b: IncidentRow, sort: IncidentSort): number {
  const p = primary(a, b, sort);
  if (p !== 0) return sort.descending ? -p : p;
  if (a.status !== b.status) return a.status === 'open' ? -1 : 1;
  return (
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || time(b.lastSeen) - time(a.lastSeen) || text(a.id, b.id)
  );
}

export function displayRows(
  rows: readonly IncidentRow[],
  filters: IncidentFilters,
  sort: IncidentSort,
  collapsed: ReadonlySet<string>,
): DisplayRow[] {
  const words = searchWords(filters.text);
  const shown = rows.filter((r) => matches(r, filters, words)).sort((a, b) => compareRows(a, b, sort));
  const groups = new Map<string, IncidentRow[]>();
  for (const r of shown) {
    if (!r.groupId) continue;
    const members = groups.get(r.groupId);
    if (members) members.push(r);
    else groups.set(r.groupId, [r]);
  }
  const out: DisplayRow[] = [];
  const emitted = new Set<string>();
  for (const r of shown) {
    const members = r.groupId ? groups.get(r.groupId) : undefined;
    if (!members || members.length < 2) {
      out.push({ kind: 'incident', row: r, level: 1 });
      continue;
    }
    if (emitted.has(r.groupId!)) continue;
    emitted.add(r.groupId!);
    const open = !collapsed.has(r.groupId!);
    out.push({ kind: 'group', groupId: r.groupId!, members, expanded: open, lead: r });
    if (open) for (const m of members) out.push({ kind: 'incident', row: m, level: 2 });
  }
  return out;
}

/** The distinct namespaces of the rows, sorted, for the namespace filter. */
export function namespacesOf(rows: readonly IncidentRow[]): string[] {
  return [...new Set(rows.map((r) => r.workload.namespace).filter((n) => n.length > 0))].sort();
}

/** Index of the incident in the display rows, or of the group row that folds it; -1 when filtered out. */
export function indexOfIncident(display: readonly DisplayRow[], id: string): number {
  return display.findIndex((d) =>
    d.kind === 'incident' ? d.row.id === id : !d.expanded && d.members.some((m) => m.id === id),
  );
}
