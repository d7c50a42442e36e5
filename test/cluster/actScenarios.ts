// One act-loop scenario end to end through the CLI, as a developer would run it: the incident
// opens; `fix` without --yes verifies and writes nothing (audit log); `fix --yes --wait` applies
// and the incident resolves; `rollback --yes` restores the exact before-image (objects compared)
// and the incident returns. Each scenario adds a row to the results table.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { scratchNamespace, waitForIncident } from '../harness/kubeKit';
import { applyManifest, diagnosisSession, waitForResolved } from './diagnoseKit';
import { auditedWrites, describeRun, nimbusguardWrites, privateHome, runCli, settleAudit, specOf } from './actKit';

export interface ActScenario {
  label: string;
  title: string;
  prefix: string;
  manifest: string;
  /** Runs instead of applying `manifest` (e.g. a healthy revision first); returns when the incident should follow. */
  setup?: (namespace: string) => Promise<void>;
  incident: { type: string; kind: string; name: string };
  /** The object the fix writes, when it is not the incident's workload. */
  target?: { kind: 'Deployment' | 'Service' | 'HorizontalPodAutoscaler' | 'NetworkPolicy'; name: string };
  /** Extra `fix` flags (--fix N, --confirm-context, --confirm-risk high). */
  fixArgs?: string[];
  /** Checks on `fix --json` after the apply (the proposal's kind, the change's images…). */
  check?: (json: Record<string, any>) => void;
  /** The incident type that is back after the rollback (default: the same type). */
  returns?: string;
  metrics?: boolean;
  waitSeconds: number;
  timeoutMs: number;
}

export interface ActRow {
  scenario: string;
  fix: string;
  verifyMs?: number;
  applyToResolvedS?: string;
  rollbackExact?: string;
  returned?: string;
  result: string;
}

export async function runActScenario(kc: k8s.KubeConfig, s: ActScenario, rows: ActRow[]): Promise<void> {
  const row: ActRow = { scenario: s.label, fix: '-', result: 'FAILED' };
  rows.push(row);
  const ns = await scratchNamespace(kc, s.prefix);
  const watched = await diagnosisSession([ns.name], { metrics: s.metrics ?? false });
  const home = privateHome();
  try {
    if (s.setup) await s.setup(ns.name);
    else await applyManifest(kc, s.manifest, ns.name);
    const incident = await waitForIncident(
      watched.monitor,
      s.incident.type,
      s.incident.kind,
      s.incident.name,
      ns.name,
      s.timeoutMs,
    );
    const target = s.target ?? { kind: s.incident.kind as 'Deployment', name: s.incident.name };
    const before = await specOf(kc, target.kind, ns.name, target.name);
    const objectArg = `${s.incident.kind.toLowerCase()}/${s.incident.name}`;
    const context = ['--context', 'nimbusguard-admin'];

    // Verified, not confirmed: exit 3, a pass verdict, and not one real write (the audit log says so).
    const dry = await runCli(['fix', objectArg, '-n', ns.name, ...context, ...(s.fixArgs ?? []), '--json'], home);
    assert.equal(dry.code, 3, describeRun(dry));
    assert.equal(dry.json?.['verdict']?.['result'], 'pass', describeRun(dry));
    assert.equal(dry.json?.['incident']?.['type'] !== undefined, true);
    assert.ok(!('change' in (dry.json ?? {})), 'nothing was applied');
    row.fix = `${String(dry.json?.['proposal']?.['fixKind'])}: ${String(dry.json?.['proposal']?.['summary'])}`;
    row.verifyMs = (dry.json?.['verdict']?.['checks'] as { durationMs: number }[]).reduce(
      (sum, c) => sum + c.durationMs,
      0,
    );
    await settleAudit();
    assert.deepEqual(
      nimbusguardWrites(auditedWrites(ns.name)).map((e) => `${e.verb} ${e.requestURI}`),
      [],
      'no write without confirmation',
    );
    assert.deepEqual(await specOf(kc, target.kind, ns.name, target.name), before, 'the object is untouched');

    // Confirmed: applied, the rollout completes and the incident resolves.
    const applied = await runCli(
      [
        'fix',
        objectArg,
        '-n',
        ns.name,
        ...context,
        ...(s.fixArgs ?? []),
        '--yes',
        '--wait',
        String(s.waitSeconds),
        '--json',
      ],
      home,
    );
    assert.equal(applied.code, 0, describeRun(applied));
    const json = applied.json!;
    assert.equal(json['outcome']?.['result'], 'resolved', describeRun(applied));
    assert.match(json['change']['id'], /^c-/);
    s.check?.(json);
    row.applyToResolvedS = (Number(json['outcome']['elapsedMs']) / 1000).toFixed(1);
    await settleAudit();
    const writes = nimbusguardWrites(auditedWrites(ns.name));
    const patches = writes.filter((e) => e.verb === 'patch');
    assert.equal(
      patches.length,
      1,
      `exactly one real patch: ${writes.map((e) => `${e.verb} ${e.requestURI}`).join('\n')}`,
    );
    assert.equal(patches[0]!.objectRef?.name, target.name);
    assert.ok(
      writes.some((e) => e.objectRef?.resource === 'events'),
      'a Kubernetes Event records the change on the target',
    );
    assert.notDeepEqual(await specOf(kc, target.kind, ns.name, target.name), before);
    await waitForResolved(watched.monitor, incident, 60_000);

    // Rolled back: the exact before-image is back and the incident returns.
    const rollbackAt = Date.now();
    const back = await runCli(['rollback', json['change']['id'], ...context, '--yes', '--wait', '60', '--json'], home);
    assert.equal(back.code, 0, describeRun(back));
    assert.equal(back.json?.['outcome']?.['result'], 'restored', describeRun(back));
    assert.deepEqual(
      await specOf(kc, target.kind, ns.name, target.name),
      before,
      'the rollback restores the object exactly',
    );
    row.rollbackExact = 'exact (labels + spec equal)';
    const returned = await waitForIncident(
      watched.monitor,
      s.returns ?? s.incident.type,
      s.incident.kind,
      s.incident.name,
      ns.name,
      s.timeoutMs,
    );
    row.returned = `${returned.type} after ${((Date.now() - rollbackAt) / 1000).toFixed(1)}s`;

    const history = await runCli(['history', ...context, '--json'], home);
    assert.equal(history.code, 0, describeRun(history));
    const record = (history.json!['changes'] as { id: string; status: string; outcome?: { result: string } }[]).find(
      (c) => c.id === json['change']['id'],
    );
    assert.equal(record?.status, 'rolled-back');
    assert.equal(record?.outcome?.result, 'resolved');
    row.result = 'ok';
  } catch (error) {
    row.result = `FAILED: ${error instanceof Error ? error.message.split('\n')[0]!.slice(0, 160) : String(error)}`;
    throw error;
  } finally {
    watched.dispose();
    await ns.remove();
  }
}

export function actTable(rows: readonly ActRow[]): string[] {
  const header = [
    'scenario',
    'fix',
    'verify ms (no shadow)',
    'apply→resolved s',
    'rollback',
    'incident back',
    'result',
  ];
  const body = rows.map((r) => [
    r.scenario,
    r.fix,
    r.verifyMs === undefined ? '-' : String(r.verifyMs),
    r.applyToResolvedS ?? '-',
    r.rollbackExact ?? '-',
    r.returned ?? '-',
    r.result,
  ]);
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...body.map((c) => `| ${c.map((x) => x.replace(/\|/g, '\\|')).join(' | ')} |`),
  ];
}

export function actSuite(
  title: string,
  kc: k8s.KubeConfig,
  scenarios: readonly ActScenario[],
  opts: { concurrency?: boolean } = {},
): void {
  const rows: ActRow[] = [];
  describe(title, { concurrency: opts.concurrency ?? true }, () => {
    for (const s of scenarios) test(s.title, { timeout: 600_000 }, () => runActScenario(kc, s, rows));
  });
  test('results', (t) => {
    const order = scenarios.map((s) => s.label);
    for (const line of actTable([...rows].sort((a, b) => order.indexOf(a.scenario) - order.indexOf(b.scenario))))
      t.diagnostic(line);
    assert.equal(rows.length, scenarios.length, 'every scenario ran');
  });
}
