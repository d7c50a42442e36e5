// What must never happen, on the real control plane: a fix whose pods admission would reject
// passing (although the Deployment dry-run passes); a write when the object moved on twice between
// verification and apply; a write by a user who may not write (the verdict names the permission);
// a write in a protected context without its name typed; a write on an inconclusive verdict; a
// shadow left behind by a killed process. The audit log proves what was (not) written.
// Runs beside other test files: its own scratch namespaces only; its webhook selects only its namespace.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { ActService } from '../../src/agent/actService';
import { Ledger } from '../../src/agent/ledger';
import { ApiClient } from '../../src/cluster/actions/apiClient';
import {
  kubeConfig,
  kubeconfigPath,
  repoRoot,
  scratchNamespace,
  STRATEGIC_PATCH,
  waitFor,
  waitForIncident,
  watchIncidents,
} from '../harness/kubeKit';
import { applyManifest } from './diagnoseKit';
import {
  auditedWrites,
  describeRun,
  nimbusguardWrites,
  oomManifest,
  privateHome,
  runCli,
  settleAudit,
  startCli,
} from './actKit';

const kc = kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const MEMORY = 'spec.template.spec.containers[name=api].resources.limits.memory';

async function oomNamespace(prefix: string, extra = '') {
  const ns = await scratchNamespace(kc, prefix);
  if (extra) await applyManifest(kc, extra, ns.name);
  await applyManifest(kc, oomManifest, ns.name);
  const watched = await watchIncidents([ns.name]);
  await waitForIncident(watched.monitor, 'OOMKilled', 'Deployment', 'api', ns.name, 120_000);
  // Proposals come from root causes, which the incident's graph thread produces: let it finish.
  await watched.monitor.idle();
  return { ns, watched };
}

async function memoryLimit(namespace: string, name = 'api'): Promise<string | undefined> {
  const d = await apps.readNamespacedDeployment({ name, namespace });
  return d.spec?.template.spec?.containers[0]?.resources?.limits?.['memory'] as string | undefined;
}

test(
  'a fix whose pods a LimitRange rejects fails at podAdmission although the Deployment dry-run passes',
  { timeout: 300_000 },
  async () => {
    const limitRange = `apiVersion: v1
kind: LimitRange
metadata:
  name: small-containers
spec:
  limits:
    - type: Container
      max:
        memory: 200Mi
`;
    const { ns, watched } = await oomNamespace('act-admission', limitRange);
    try {
      const r = await runCli(
        ['fix', 'deployment/api', '-n', ns.name, '--context', 'nimbusguard-admin', '--yes', '--json'],
        privateHome(),
      );
      assert.equal(r.code, 1, describeRun(r));
      const checks = r.json!['verdict']['checks'] as { name: string; result: string; detail: string }[];
      assert.equal(r.json!['verdict']['result'], 'fail');
      assert.equal(checks.find((c) => c.name === 'dryRun')?.result, 'pass', 'the Deployment itself is accepted');
      const admission = checks.find((c) => c.name === 'podAdmission')!;
      assert.equal(admission.result, 'fail');
      assert.match(admission.detail, /maximum memory usage per Container is 200Mi/);
      await settleAudit();
      assert.deepEqual(nimbusguardWrites(auditedWrites(ns.name)), []);
      assert.equal(await memoryLimit(ns.name), '128Mi');
    } finally {
      watched.dispose();
      await ns.remove();
    }
  },
);

test(
  'the view-only user gets a fail verdict naming the missing permission, and nothing is written',
  { timeout: 300_000 },
  async () => {
    const { ns, watched } = await oomNamespace('act-viewer');
    try {
      const r = await runCli(
        ['fix', 'deployment/api', '-n', ns.name, '--context', 'nimbusguard-viewer', '--yes', '--json'],
        privateHome(),
      );
      assert.equal(r.code, 1, describeRun(r));
      const permissions = (r.json!['verdict']['checks'] as { name: string; result: string; detail: string }[]).find(
        (c) => c.name === 'permissions',
      )!;
      assert.equal(permissions.result, 'fail');
      assert.match(permissions.detail, /missing permission: patch deployments\.apps in namespace act-viewer-/);
      assert.equal(await memoryLimit(ns.name), '128Mi');
    } finally {
      watched.dispose();
      await ns.remove();
    }
  },
);

test('a protected context needs its name typed: --yes alone is not enough', { timeout: 300_000 }, async () => {
  const { ns, watched } = await oomNamespace('act-prod');
  const home = privateHome();
  try {
    const refused = await runCli(
      ['fix', 'deployment/api', '-n', ns.name, '--context', 'nimbusguard-prod', '--yes', '--json'],
      home,
    );
    assert.equal(refused.code, 3, describeRun(refused));
    assert.match(refused.json!['error'], /context nimbusguard-prod is protected.*--confirm-context nimbusguard-prod/);
    await settleAudit();
    assert.deepEqual(nimbusguardWrites(auditedWrites(ns.name)), []);
    const wrong = await runCli(
      [
        'fix',
        'deployment/api',
        '-n',
        ns.name,
        '--context',
        'nimbusguard-prod',
        '--confirm-context',
        'nimbusguard-admin',
        '--yes',
        '--json',
      ],
      home,
    );
    assert.equal(wrong.code, 3, describeRun(wrong));
    const ok = await runCli(
      [
        'fix',
        'deployment/api',
        '-n',
        ns.name,
        '--context',
        'nimbusguard-prod',
        '--confirm-context',
        'nimbusguard-prod',
        '--yes',
        '--json',
      ],
      home,
    );
    assert.equal(ok.code, 0, describeRun(ok));
    assert.ok(!('outcome' in ok.json!), 'without --wait there is no outcome key');
    assert.notEqual(await memoryLimit(ns.name), '128Mi');

    // Someone changes the field after NimbusGuard: the rollback shows the three versions and refuses without --force.
    await apps.patchNamespacedDeployment(
      {
        name: 'api',
        namespace: ns.name,
        body: {
          spec: { template: { spec: { containers: [{ name: 'api', resources: { limits: { memory: '300Mi' } } }] } } },
        },
      },
      STRATEGIC_PATCH,
    );
    const changeId = ok.json!['change']['id'] as string;
    const drift = await runCli(
      [
        'rollback',
        changeId,
        '--context',
        'nimbusguard-prod',
        '--confirm-context',
        'nimbusguard-prod',
        '--yes',
        '--json',
      ],
      home,
    );
    assert.equal(drift.code, 1, describeRun(drift));
    assert.match(drift.json!['error'], /changed since NimbusGuard set them/);
    assert.deepEqual(
      (drift.json!['drift'] as { path: string; live: unknown }[]).map((d) => [d.path, d.live]),
      [[MEMORY, { present: true, value: '300Mi' }]],
    );
    assert.equal(await memoryLimit(ns.name), '300Mi');
    const forced = await runCli(
      [
        'rollback',
        changeId,
        '--context',
        'nimbusguard-prod',
        '--confirm-context',
        'nimbusguard-prod',
        '--yes',
        '--force',
        '--wait',
        '30',
        '--json',
      ],
      home,
    );
    assert.equal(forced.code, 0, describeRun(forced));
    assert.equal(forced.json!['outcome']['result'], 'restored');
    assert.equal(await memoryLimit(ns.name), '128Mi');
    const unknown = await runCli(['rollback', 'c-does-not-exist', '--context', 'nimbusguard-prod', '--json'], home);
    assert.equal(unknown.code, 2, describeRun(unknown));
  } finally {
    watched.dispose();
    await ns.remove();
  }
});

test(
  'an admission webhook that cannot be called makes the verdict inconclusive, and the CLI never applies it',
  { timeout: 300_000 },
  async () => {
    const ns = await scratchNamespace(kc, 'act-webhook');
    const admission = kc.makeApiClient(k8s.AdmissionregistrationV1Api);
    const hookName = `${ns.name}-guard`;
    await core.patchNamespace(
      { name: ns.name, body: { metadata: { labels: { 'act-webhook': ns.name } } } },
      STRATEGIC_PATCH,
    );
    await applyManifest(kc, oomManifest, ns.name);
    const watched = await watchIncidents([ns.name]);
    try {
      await waitForIncident(watched.monitor, 'OOMKilled', 'Deployment', 'api', ns.name, 120_000);
      await admission.createValidatingWebhookConfiguration({
        body: {
          metadata: { name: hookName },
          webhooks: [
            {
              name: 'guard.nimbusguard.dev',
              admissionReviewVersions: ['v1'],
              sideEffects: 'None',
              failurePolicy: 'Fail',
              timeoutSeconds: 2,
              namespaceSelector: { matchLabels: { 'act-webhook': ns.name } },
              rules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['deployments'] }],
              clientConfig: { service: { namespace: ns.name, name: 'no-such-service', path: '/validate' } },
            },
          ],
        },
      });
      const r = await runCli(
        ['fix', 'deployment/api', '-n', ns.name, '--context', 'nimbusguard-admin', '--yes', '--json'],
        privateHome(),
      );
      assert.equal(r.code, 1, describeRun(r));
      assert.equal(r.json!['verdict']['result'], 'inconclusive');
      const dryRun = (r.json!['verdict']['checks'] as { name: string; result: string; detail: string }[]).find(
        (c) => c.name === 'dryRun',
      )!;
      assert.equal(dryRun.result, 'inconclusive');
      assert.match(dryRun.detail, /webhook/);
      assert.equal(await memoryLimit(ns.name), '128Mi');
    } finally {
      await admission.deleteValidatingWebhookConfiguration({ name: hookName }).catch(() => undefined);
      watched.dispose();
      await ns.remove();
    }
  },
);

/** Another user's change, made synchronously (the verifying process is blocked meanwhile, as if it were slow). */
function patchReplicasNow(namespace: string, name: string, replicas: number): void {
  const script = `
    const k8s = require('@kubernetes/client-node');
    const kc = new k8s.KubeConfig(); kc.loadFromFile(${JSON.stringify(kubeconfigPath)}); kc.setCurrentContext('nimbusguard-admin');
    kc.makeApiClient(k8s.AppsV1Api).patchNamespacedDeployment({ name: ${JSON.stringify(name)}, namespace: ${JSON.stringify(namespace)}, body: { spec: { replicas: ${replicas} } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch)).then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
}

test(
  'a spec change between verify and apply is verified again; a second one stops the apply',
  { timeout: 300_000 },
  async () => {
    const { ns, watched } = await oomNamespace('act-race');
    const api = new ApiClient(kubeConfig());
    const act = new ActService({
      api,
      snapshot: watched.session.snapshot,
      incidents: watched.monitor,
      ledger: new Ledger('race', mkdtempSync(join(tmpdir(), 'ng-ledger-'))),
    });
    try {
      const target = { kind: 'Deployment', namespace: ns.name, name: 'api' };
      // One change: verified again at apply, then written.
      let proposal = act.proposalsFor(target).proposals[0]!;
      let verified = await act.verify(proposal);
      assert.equal(
        verified.verdict.result,
        'pass',
        JSON.stringify(verified.verdict.checks.filter((c) => c.result !== 'pass' && c.result !== 'skipped')),
      );
      patchReplicasNow(ns.name, 'api', 2);
      const once = await act.decide({
        proposalId: proposal.id,
        planHash: verified.verdict.planHash,
        decision: 'approve',
      });
      assert.equal(once.status, 'applied', once.message);
      assert.equal(once.reverified, 1);
      assert.notEqual(await memoryLimit(ns.name), '128Mi');
      const change = once.change!;

      // Roll that back, then two changes: the second, during the re-verification, stops the apply.
      const back = await act.prepareRollback(change.id);
      assert.ok(back.ok, JSON.stringify(back));
      proposal = back.proposal;
      verified = await act.verify(proposal, { rollback: { changeId: change.id } });
      assert.equal(
        verified.verdict.result,
        'pass',
        JSON.stringify(verified.verdict.checks.filter((c) => c.result !== 'pass' && c.result !== 'skipped')),
      );
      patchReplicasNow(ns.name, 'api', 3);
      const sub = act.onProgress((e) => {
        if (e.phase === 'started' && e.check === 'permissions') {
          sub.dispose();
          patchReplicasNow(ns.name, 'api', 1);
        }
      });
      const stopped = await act.decide({
        proposalId: proposal.id,
        planHash: verified.verdict.planHash,
        decision: 'approve',
      });
      assert.equal(stopped.status, 'stopped', stopped.message);
      assert.match(stopped.message, /changed/);
      assert.equal(
        await memoryLimit(ns.name),
        String(change.after![MEMORY] && (change.after![MEMORY] as { value: string }).value),
        'nothing was written',
      );
      assert.equal(act.history().find((c) => c.id === change.id)?.status, 'applied', 'the change is still applied');
    } finally {
      act.dispose();
      watched.dispose();
      await ns.remove();
    }
  },
);

test(
  'a shadow whose process is killed mid-check is removed at the next start; a full shadow check leaves nothing behind',
  { timeout: 400_000 },
  async (t) => {
    const { ns, watched } = await oomNamespace('act-shadow');
    const home = privateHome();
    const shadows = async () =>
      (await core.listNamespacedPod({ namespace: ns.name, labelSelector: 'nimbusguard.dev/shadow=true' })).items;
    try {
      const child = startCli(
        ['fix', 'deployment/api', '-n', ns.name, '--context', 'nimbusguard-admin', '--shadow', '--json'],
        home,
      );
      const [pod] = await waitFor(
        'the shadow pod',
        async () => {
          const list = await shadows();
          return list.length > 0 ? list : undefined;
        },
        120_000,
        200,
      );
      assert.ok(pod!.spec!.activeDeadlineSeconds! > 0, 'the shadow has a time limit');
      assert.deepEqual(pod!.metadata!.ownerReferences ?? [], [], 'owned by nothing');
      assert.equal(
        pod!.metadata!.labels!['app'],
        undefined,
        'no label of the workload, so no Service, PDB or controller selects it',
      );
      assert.match(pod!.metadata!.labels!['nimbusguard.dev/shadow-holder']!, /\.\d+$/);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('close', r));
      assert.equal((await shadows()).length, 1, 'the killed process left its shadow behind');

      const next = await runCli(
        ['fix', 'deployment/api', '-n', ns.name, '--context', 'nimbusguard-admin', '--json'],
        home,
      );
      assert.equal(next.code, 3, describeRun(next));
      assert.match(next.stderr, new RegExp(`removed shadow pod ${ns.name}/${pod!.metadata!.name}`));
      assert.equal((await shadows()).length, 0, 'the next start removed it');

      const full = await runCli(
        ['fix', 'deployment/api', '-n', ns.name, '--context', 'nimbusguard-admin', '--shadow', '--json'],
        home,
      );
      assert.equal(full.code, 3, describeRun(full));
      const shadow = (
        full.json!['verdict']['checks'] as { name: string; result: string; detail: string; durationMs: number }[]
      ).find((c) => c.name === 'shadow')!;
      assert.equal(shadow.result, 'pass', shadow.detail);
      assert.ok(shadow.durationMs >= 30_000, `judged over at least 30 s (${shadow.durationMs} ms)`);
      const total = (full.json!['verdict']['checks'] as { durationMs: number }[]).reduce(
        (sum, c) => sum + c.durationMs,
        0,
      );
      t.diagnostic(`verify with shadow: ${total} ms (shadow ${shadow.durationMs} ms: ${shadow.detail})`);
      assert.equal((await shadows()).length, 0, 'deleted before the command returned');
      await settleAudit();
      const writes = nimbusguardWrites(auditedWrites(ns.name));
      assert.ok(
        writes.every((e) => e.objectRef?.resource === 'pods'),
        `only shadow pods were written: ${writes.map((e) => e.requestURI).join(', ')}`,
      );
      assert.equal(await memoryLimit(ns.name), '128Mi');
    } finally {
      watched.dispose();
      await ns.remove();
    }
  },
);
