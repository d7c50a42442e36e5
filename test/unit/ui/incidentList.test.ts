import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_SORT,
  displayRows,
  indexOfIncident,
  matches,
  namespacesOf,
  NO_FILTERS,
} from '../../../webview/incidents/incidentList';
import type { IncidentRow } from '../../../src/ui/incidentsPanel/protocol';

function row(n: number, over: Partial<IncidentRow> = {}): IncidentRow {
  return {
    id: `oomkilled-${n.toString(16).padStart(16, '0')}`,
    severity: 'warning',
    type: 'OOMKilled',
    status: 'open',
    workload: { kind: 'Deployment', namespace: 'shop', name: `web-${n}` },
    firstSeen: new Date(1_000_000 + n * 1000).toISOString(),
    lastSeen: new Date(2_000_000 + n * 1000).toISOString(),
    summary: `summary ${n}`,
    ...over,
  };
}

const ids = (rows: ReturnType<typeof displayRows>) =>
  rows.map((d) => (d.kind === 'group' ? `group:${d.groupId}` : d.row.workload.name));

test('filters: namespace, severity, type and words of the text search (any order, any case)', () => {
  const rows = [
    row(1, { severity: 'critical', cause: 'Memory limit 128Mi' }),
    row(2, { workload: { kind: 'StatefulSet', namespace: 'batch', name: 'db' }, type: 'CrashLoopBackOff' }),
    row(3, { status: 'resolved' }),
  ];
  assert.deepEqual(
    rows.filter((r) => matches(r, { ...NO_FILTERS, namespace: 'batch' })).map((r) => r.workload.name),
    ['db'],
  );
  assert.deepEqual(
    rows.filter((r) => matches(r, { ...NO_FILTERS, severity: 'critical' })).map((r) => r.workload.name),
    ['web-1'],
  );
  assert.deepEqual(
    rows.filter((r) => matches(r, { ...NO_FILTERS, type: 'CrashLoopBackOff' })).map((r) => r.workload.name),
    ['db'],
  );
  assert.deepEqual(
    rows.filter((r) => matches(r, { ...NO_FILTERS, text: '128MI memory' })).map((r) => r.workload.name),
    ['web-1'],
  );
  assert.deepEqual(
    rows.filter((r) => matches(r, { ...NO_FILTERS, text: 'batch/db' })).map((r) => r.workload.name),
    ['db'],
  );
  assert.deepEqual(
    rows.filter((r) => matches(r, { ...NO_FILTERS, text: 'resolved' })).map((r) => r.workload.name),
    ['web-3'],
  );
  assert.deepEqual(namespacesOf(rows), ['batch', 'shop']);
});

test('sorting by each column, both ways; ties put open before resolved, then the most severe', () => {
  const rows = [
    row(1, { severity: 'info' }),
    row(2, { severity: 'critical', status: 'resolved' }),
    row(3, { severity: 'critical' }),
  ];
  assert.deepEqual(ids(displayRows(rows, NO_FILTERS, DEFAULT_SORT, new Set())), ['web-3', 'web-2', 'web-1']);
  assert.deepEqual(ids(displayRows(rows, NO_FILTERS, { column: 'severity', descending: false }, new Set())), [
    'web-1',
    'web-3',
    'web-2',
  ]);
  assert.deepEqual(
    ids(displayRows(rows, NO_FILTERS, { column: 'age', descending: true }, new Set())),
    ['web-1', 'web-2', 'web-3'],
    'oldest first',
  );
  assert.deepEqual(ids(displayRows(rows, NO_FILTERS, { column: 'workload', descending: true }, new Set())), [
    'web-3',
    'web-2',
    'web-1',
  ]);
});

test('correlated incidents sit under one group row, open until folded; a lone member of a group is a plain row', () => {
  const rows = [
    row(1, { groupId: 'g' }),
    row(2),
    row(3, { groupId: 'g', severity: 'critical' }),
    row(4, { groupId: 'solo' }),
  ];
  const folded = displayRows(rows, NO_FILTERS, DEFAULT_SORT, new Set(['g']));
  assert.deepEqual(ids(folded), ['group:g', 'web-4', 'web-2']);
  const group = folded[0]!;
  assert.ok(group.kind === 'group' && group.members.length === 2 && group.lead.workload.name === 'web-3');
  assert.equal(indexOfIncident(folded, rows[0]!.id), 0, 'a folded incident is found at its group row');
  const open = displayRows(rows, NO_FILTERS, DEFAULT_SORT, new Set());
  assert.deepEqual(ids(open), ['group:g', 'web-3', 'web-1', 'web-4', 'web-2']);
  assert.ok(open[1]!.kind === 'incident' && open[1]!.level === 2);
  assert.equal(indexOfIncident(open, rows[0]!.id), 2);
  assert.deepEqual(
    ids(displayRows(rows, { ...NO_FILTERS, text: 'web-1' }, DEFAULT_SORT, new Set())),
    ['web-1'],
    'a filter that leaves one member shows it plainly',
  );
});

test('a thousand incidents filter and sort in a few milliseconds', () => {
  const rows = Array.from({ length: 1000 }, (_, i) =>
    row(i, {
      severity: (['critical', 'warning', 'info'] as const)[i % 3],
      groupId: i % 10 === 0 ? `g${i % 30}` : undefined,
    }),
  );
  const started = performance.now();
  for (let i = 0; i < 20; i++)
    displayRows(rows, { ...NO_FILTERS, text: `web-${i}` }, { column: 'age', descending: i % 2 === 0 }, new Set(['g1']));
  const each = (performance.now() - started) / 20;
  assert.ok(each < 25, `${each.toFixed(1)} ms per filter`);
});
