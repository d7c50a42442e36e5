// NetworkPolicies on the real control plane: a deny-all in front of a ready Service opens a
// NetworkPolicyBlocked incident at once, on the policy, named so in `scan --json`; a policy that
// admits another port keeps it open and yields a port-adding fix; the fix's patch, applied to the
// API, admits the right port (the rule's peers kept) and the incident resolves.
// A default-deny egress cuts a Deployment off from DNS: a NetworkPolicyBlocked incident on the
// policy; an allow-list without 53 yields a port-53 fix that, applied, resolves it.
// A user without the right to list NetworkPolicies gets a note and no incident built on nothing.
// Runs beside other test files: its own scratch namespaces only, nothing cluster-scoped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import {
  ADMIN,
  STRATEGIC_PATCH,
  deployment,
  kubeConfig,
  kubeconfigPath,
  repoRoot,
  scratchNamespace,
  sleep,
  waitFor,
  watchIncidents,
} from '../harness/kubeKit';
import { waitForDiagnosis, waitForResolved } from './diagnoseKit';
import { fixPatch } from '../../src/core/diagnose/fixes';
import { DNS_KEY } from '../../src/core/detect/networkPolicyDns';

const kc = kubeConfig();
const apps = kc.makeApiClient(k8s.AppsV1Api);
const core = kc.makeApiClient(k8s.CoreV1Api);
const networking = kc.makeApiClient(k8s.NetworkingV1Api);

interface ScanIncident {
  type: string;
  kind: string;
  name: string;
  namespace: string;
  rootCause?: { summary: string; category: string; fields: string[] };
}

function scanJson(namespace: string): Promise<ScanIncident[]> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [
        join(repoRoot, 'dist/cli.js'),
        'scan',
        '--kubeconfig',
        kubeconfigPath,
        '--context',
        ADMIN,
        '--namespace',
        namespace,
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let text = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (text += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (code) =>
      code === 1 || code === 0
        ? resolve((JSON.parse(text) as { incidents: ScanIncident[] }).incidents)
        : reject(new Error(`scan exited ${code}: ${err}`)),
    );
  });
}

const EDGE = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'edge' } } }];

function webPolicy(ingress?: k8s.V1NetworkPolicyIngressRule[]): k8s.V1NetworkPolicy {
  return {
    metadata: { name: 'web-policy' },
    spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ...(ingress ? { ingress } : {}) },
  };
}

test(
  'NetworkPolicyBlocked: deny-all opens at once on the policy; another port keeps it open; the proposed port resolves it',
  { timeout: 300_000 },
  async (t) => {
    const ns = await scratchNamespace(kc, 'netpol');
    const n = ns.name;
    const watched = await watchIncidents([n]);
    t.after(async () => {
      watched.dispose();
      await ns.remove();
    });
    const { snapshot } = watched.session;
    await apps.createNamespacedDeployment({ namespace: n, body: deployment('web', { replicas: 2 }) });
    await core.createNamespacedService({
      namespace: n,
      body: {
        metadata: { name: 'web' },
        spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
      },
    });
    await waitFor('web ready', () => snapshot.getWorkload('Deployment', n, 'web')?.ready === 2, 120_000, 500);

    // 1. A deny-all: judged the moment the session sees it.
    const applied = Date.now();
    await networking.createNamespacedNetworkPolicy({ namespace: n, body: webPolicy() });
    const ref = { kind: 'NetworkPolicy', name: 'web-policy', namespace: n };
    const denied = await waitForDiagnosis(
      watched.monitor,
      'NetworkPolicyBlocked',
      ref,
      (c) => c.category === 'network-policy',
      30_000,
    );
    const openMs = Date.now() - applied;
    assert.ok(openMs < 15_000, `open ${openMs} ms after the policy was applied`);
    t.diagnostic(`deny-all applied → incident with its cause: ${openMs} ms`);
    assert.equal(
      denied.cause.summary,
      'NetworkPolicy web-policy isolates the pods of Service web and admits no traffic on port 80/TCP (http) → 8080 (it has no ingress rule)',
    );
    assert.deepEqual(denied.cause.fields, ['spec.policyTypes']);
    assert.ok(
      denied.cause.fixes.every((f) => !f.edits?.length),
      'a deny-all gets advice only: NimbusGuard invents no peers',
    );

    // `scan --json` says the same, on the policy.
    const scanned = (await scanJson(n)).filter((i) => i.type === 'NetworkPolicyBlocked');
    assert.deepEqual(
      scanned.map((i) => `${i.kind}/${i.name}`),
      ['NetworkPolicy/web-policy'],
    );
    assert.equal(scanned[0]!.rootCause?.category, 'network-policy');
    assert.match(
      scanned[0]!.rootCause!.summary,
      /^NetworkPolicy web-policy .* Service web .* port 80\/TCP \(http\) → 8080/,
    );

    // 2. The same policy now admits another port from the edge namespace: still blocked, now fixable.
    await networking.replaceNamespacedNetworkPolicy({
      namespace: n,
      name: 'web-policy',
      body: webPolicy([{ _from: EDGE, ports: [{ protocol: 'TCP', port: 9090 }] }]),
    });
    await waitFor(
      'the session to see the new rules',
      () => snapshot.get('NetworkPolicy', n, 'web-policy')?.ingress?.length === 1,
      30_000,
      200,
    );
    const fixable = await waitForDiagnosis(
      watched.monitor,
      'NetworkPolicyBlocked',
      ref,
      (c) => (c.fixes[0]?.edits?.length ?? 0) > 0,
      30_000,
    );
    assert.equal(fixable.incident.id, denied.incident.id, 'the same incident stays open');
    assert.equal(watched.monitor.get(denied.incident.id)?.status, 'open');
    assert.deepEqual(fixable.cause.fields, ['spec.ingress']);
    const fix = fixable.cause.fixes[0]!;
    assert.deepEqual(
      fix.edits?.map((e) => `${e.path}=${String(e.value)}`),
      ['spec.ingress[0].ports[1].port=8080', 'spec.ingress[0].ports[1].protocol=TCP'],
    );

    // 3. The proposed patch, applied as the user would confirm it: 8080 admitted, peers kept.
    const patchedAt = Date.now();
    await networking.patchNamespacedNetworkPolicy(
      { namespace: n, name: 'web-policy', body: fixPatch(fix) },
      STRATEGIC_PATCH,
    );
    const live = await networking.readNamespacedNetworkPolicy({ namespace: n, name: 'web-policy' });
    assert.deepEqual(
      live.spec?.ingress?.[0]?.ports?.map((p) => `${String(p.port)}/${p.protocol}`),
      ['9090/TCP', '8080/TCP'],
    );
    assert.deepEqual(
      live.spec?.ingress?.[0]?._from?.[0]?.namespaceSelector?.matchLabels,
      EDGE[0]!.namespaceSelector.matchLabels,
      'the rule keeps its peers',
    );
    const resolved = await waitForResolved(watched.monitor, fixable.incident, 30_000);
    assert.equal(resolved.status, 'resolved');
    t.diagnostic(`port admitted → incident resolved: ${Date.now() - patchedAt} ms`);
    await sleep(2_000);
    assert.deepEqual(
      watched.monitor
        .open()
        .filter((i) => i.workload.namespace === n)
        .map((i) => `${i.type} ${i.workload.name}`),
      [],
    );
  },
);

test(
  'NetworkPolicyBlocked (DNS): a default-deny egress opens on the policy; an allow-list with 53/UDP resolves it',
  { timeout: 300_000 },
  async (t) => {
    const ns = await scratchNamespace(kc, 'netpol-dns');
    const n = ns.name;
    const watched = await watchIncidents([n]);
    t.after(async () => {
      watched.dispose();
      await ns.remove();
    });
    const { snapshot } = watched.session;
    await apps.createNamespacedDeployment({ namespace: n, body: deployment('api', { replicas: 2 }) });
    await waitFor('api ready', () => snapshot.getWorkload('Deployment', n, 'api')?.ready === 2, 120_000, 500);
    const egressPolicy = (egress?: k8s.V1NetworkPolicyEgressRule[]): k8s.V1NetworkPolicy => ({
      metadata: { name: 'api-egress' },
      spec: { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], ...(egress ? { egress } : {}) },
    });

    // 1. A default-deny egress: the pods cannot resolve any name.
    const applied = Date.now();
    await networking.createNamespacedNetworkPolicy({ namespace: n, body: egressPolicy() });
    const ref = { kind: 'NetworkPolicy', name: 'api-egress', namespace: n };
    const denied = await waitForDiagnosis(
      watched.monitor,
      'NetworkPolicyBlocked',
      ref,
      (c) => c.category === 'network-policy',
      30_000,
    );
    t.diagnostic(`default-deny egress applied → incident with its cause: ${Date.now() - applied} ms`);
    assert.equal(denied.incident.key, DNS_KEY);
    assert.equal(denied.incident.severity, 'warning');
    assert.equal(
      denied.incident.summary,
      'NetworkPolicy api-egress blocks DNS (port 53/UDP) egress for Deployment api: names cannot resolve',
    );
    assert.deepEqual(denied.cause.fields, ['spec.policyTypes']);
    assert.ok(
      denied.cause.fixes.every((f) => !f.edits?.length),
      'a deny-all egress gets advice only',
    );

    // 2. An allow-list to HTTPS only: still cut off from DNS, now with a port-53 fix.
    const TO = [{ ipBlock: { cidr: '10.0.0.0/8' } }];
    await networking.replaceNamespacedNetworkPolicy({
      namespace: n,
      name: 'api-egress',
      body: egressPolicy([{ to: TO, ports: [{ protocol: 'TCP', port: 443 }] }]),
    });
    const fixable = await waitForDiagnosis(
      watched.monitor,
      'NetworkPolicyBlocked',
      ref,
      (c) => (c.fixes[0]?.edits?.length ?? 0) > 0,
      30_000,
    );
    assert.equal(fixable.incident.id, denied.incident.id, 'the same incident stays open');
    assert.deepEqual(fixable.cause.fields, ['spec.egress']);
    const fix = fixable.cause.fixes[0]!;

    // 3. The proposed patch, applied as the user would confirm it: 53/UDP and 53/TCP admitted, `to` kept.
    const patchedAt = Date.now();
    await networking.patchNamespacedNetworkPolicy(
      { namespace: n, name: 'api-egress', body: fixPatch(fix) },
      STRATEGIC_PATCH,
    );
    const live = await networking.readNamespacedNetworkPolicy({ namespace: n, name: 'api-egress' });
    assert.deepEqual(
      live.spec?.egress?.[0]?.ports?.map((p) => `${String(p.port)}/${p.protocol}`),
      ['443/TCP', '53/UDP', '53/TCP'],
    );
    assert.equal(live.spec?.egress?.[0]?.to?.[0]?.ipBlock?.cidr, '10.0.0.0/8', 'the rule keeps its destinations');
    const resolved = await waitForResolved(watched.monitor, fixable.incident, 30_000);
    assert.equal(resolved.status, 'resolved');
    t.diagnostic(`53/UDP admitted → incident resolved: ${Date.now() - patchedAt} ms`);
    await sleep(2_000);
    assert.deepEqual(
      watched.monitor
        .open()
        .filter((i) => i.workload.namespace === n)
        .map((i) => `${i.type} ${i.workload.name}`),
      [],
    );
  },
);

test(
  'a user who may not list NetworkPolicies gets a note, and a deny-all it cannot see raises nothing',
  { timeout: 120_000 },
  async (t) => {
    const ns = await scratchNamespace(kc, 'netpol-forbidden');
    const n = ns.name;
    t.after(() => ns.remove());
    const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
    await core.createNamespacedServiceAccount({ namespace: n, body: { metadata: { name: 'reader' } } });
    const read = ['get', 'list', 'watch'];
    await rbac.createNamespacedRole({
      namespace: n,
      body: {
        metadata: { name: 'reader' },
        rules: [
          {
            apiGroups: ['', 'apps', 'batch', 'autoscaling', 'policy', 'discovery.k8s.io'],
            resources: ['*'],
            verbs: read,
          },
          { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: read },
        ],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: n,
      body: {
        metadata: { name: 'reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: n }],
      },
    });
    const token = await core.createNamespacedServiceAccountToken({
      name: 'reader',
      namespace: n,
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const cluster = kc.getCurrentCluster()!;
    const readerKc = new k8s.KubeConfig();
    readerKc.loadFromOptions({
      clusters: [{ ...cluster, name: 'sim' }],
      users: [{ name: 'reader', token: token.status!.token }],
      contexts: [{ name: 'reader', cluster: 'sim', user: 'reader', namespace: n }],
      currentContext: 'reader',
    });
    await apps.createNamespacedDeployment({ namespace: n, body: deployment('web', { replicas: 1 }) });
    await core.createNamespacedService({
      namespace: n,
      body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
    });
    await networking.createNamespacedNetworkPolicy({ namespace: n, body: webPolicy() });
    const watched = await watchIncidents([n], { kc: readerKc });
    t.after(() => watched.dispose());
    const { snapshot } = watched.session;
    await waitFor('web ready', () => snapshot.getWorkload('Deployment', n, 'web')?.ready === 1, 120_000, 500);
    assert.match(watched.session.notes().join('\n'), /NetworkPolicy[^\n]*not allowed/);
    t.diagnostic(watched.session.notes().find((note) => note.startsWith('NetworkPolicy')) ?? '');
    assert.equal(snapshot.count('NetworkPolicy'), 0);
    await sleep(3_000);
    assert.deepEqual(
      watched.monitor
        .open()
        .filter((i) => i.workload.namespace === n)
        .map((i) => `${i.type} ${i.workload.name}`),
      [],
      'a kind it cannot list proves nothing',
    );
  },
);
