import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, UsageError } from '../../../src/cli/args';
import { formatIncidentLine, incidentJson, printable } from '../../../src/cli/scanOutput';
import type { Incident } from '../../../src/core/model/incident';

const spec = { context: 'string', namespace: 'strings', json: 'boolean' } as const;

test('parses flags, repeated flags and --flag=value', () => {
  const args = parseArgs(['--context', 'prod', '--namespace=a', '--namespace', 'b', '--json', 'extra'], spec);
  assert.equal(args.context, 'prod');
  assert.deepEqual(args.namespace, ['a', 'b']);
  assert.equal(args.json, true);
  assert.deepEqual(args._, ['extra']);
});

test('unknown flags and missing values are usage errors', () => {
  assert.throws(() => parseArgs(['--nope'], spec), UsageError);
  assert.throws(() => parseArgs(['--context'], spec), /--context needs a value/);
  assert.throws(() => parseArgs(['--json=yes'], spec), /takes no value/);
});

const incident: Incident = {
  id: 'oomkilled-1',
  type: 'OOMKilled',
  severity: 'critical',
  status: 'open',
  workload: { kind: 'Deployment', namespace: 'shop', name: 'check\u001b[31mout' },
  summary: 'line one\nline two',
  evidence: [],
  firstSeen: '2026-01-01T00:00:00Z',
  lastSeen: '2026-01-01T00:01:00Z',
};

test('scan output escapes control characters from cluster text', () => {
  assert.equal(printable('a\u001b[2Jb\nc'), 'a\\u001b[2Jb c');
  const line = formatIncidentLine(incident);
  assert.doesNotMatch(line, /[\u0000-\u001f]/);
  assert.match(line, /CRITICAL +OOMKilled +shop\/Deployment\/check\\u001b\[31mout {2}line one line two/);
});

test('the JSON shape carries the workload kind and name', () => {
  assert.deepEqual(Object.keys(incidentJson(incident)), [
    'id',
    'type',
    'severity',
    'namespace',
    'kind',
    'name',
    'summary',
    'evidence',
    'firstSeen',
    'lastSeen',
  ]);
  assert.equal(incidentJson(incident).kind, 'Deployment');
});
