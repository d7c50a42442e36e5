// Object-side incidents on the real control plane: Secrets held as metadata only, a healthy
// namespace that raises nothing, StatefulSet StorageClasses, lost claims and failed volumes, node
// problems, the Gateway API (CRDs installed for the run), and `scan --json` naming the objects.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import {
  ADMIN,
  MERGE_PATCH,
  STRATEGIC_PATCH,
  deployment,
  kubeConfig,
  kubeconfigPath,
  repoRoot,
  scratchNamespace,
  sleep,
  waitFor,
  waitForIncident,
  watchIncidents,
  type WatchedNamespace,
} from '../harness/kubeKit';

const kc = kubeConfig();
const apps = kc.makeApiClient(k8s.AppsV1Api);
const core = kc.makeApiClient(k8s.CoreV1Api);
const batch = kc.makeApiClient(k8s.BatchV1Api);
const policy = kc.makeApiClient(k8s.PolicyV1Api);
const networking = kc.makeApiClient(k8s.NetworkingV1Api);
const storage = kc.makeApiClient(k8s.StorageV1Api);
const coordination = kc.makeApiClient(k8s.CoordinationV1Api);
const crds = kc.makeApiClient(k8s.ApiextensionsV1Api);
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
const suffix = Math.random().toString(36).slice(2, 7);
const GW = { group: 'gateway.networking.k8s.io', version: 'v1' };
const CRD_FILE = join(repoRoot, 'test/harness/cluster/gateway-api-crds.yaml');
const crdNames = parseAllDocuments(readFileSync(CRD_FILE, 'utf8')).map(
  (d) => (d.toJS() as k8s.V1CustomResourceDefinition).metadata!.name!,
);

let ns: { name: string; remove: () => Promise<void> };
let withoutCrds: { synced: boolean; notes: string[]; gatewayClasses: number } | undefined;
let watched: WatchedNamespace;
const cleanups: (() => Promise<unknown>)[] = [];

/** POSTs plain JSON (the typed clients drop schema keys such as x-kubernetes-preserve-unknown-fields). */
async function postJson(path: string, body: unknown): Promise<number> {
  const options: RequestOptions = { method: 'POST', headers: { 'content-type': 'application/json' } };
  await kc.applyToHTTPSOptions(options);
  const url = new URL(kc.getCurrentCluster()!.server + path);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, options, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Installs the Gateway API CRDs and waits until the API server serves them. */
async function installGatewayApi(): Promise<void> {
  // A definition left by an interrupted run may differ: start from none.
  for (const name of crdNames) {
    await crds.deleteCustomResourceDefinition({ name }).catch(() => undefined);
    await waitFor(
      `CRD ${name} gone`,
      async () =>
        crds.readCustomResourceDefinition({ name }).then(
          () => false,
          () => true,
        ),
      60_000,
    );
  }
  // Without the CRDs a session syncs and says nothing about the Gateway API.
  const bare = await watchIncidents(['default']);
  withoutCrds = {
    synced: bare.session.synced,
    notes: bare.session.notes(),
    gatewayClasses: bare.session.snapshot.count('GatewayClass'),
  };
  bare.dispose();
  for (const doc of parseAllDocuments(readFileSync(CRD_FILE, 'utf8'))) {
    const status = await postJson('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', doc.toJS());
    assert.ok(status === 201 || status === 409, `CRD created (HTTP ${status})`);
  }
  for (const name of crdNames) {
    await waitFor(
      `CRD ${name} established`,
      async () =>
        (await crds.readCustomResourceDefinition({ name })).status?.conditions?.some(
          (c) => c.type === 'Established' && c.status === 'True',
        ),
      60_000,
    );
  }
  await waitFor(
    'gateways served',
    async () => (await custom.listClusterCustomObject({ ...GW, plural: 'gatewayclasses' })) && true,
    60_000,
  );
}

before(async () => {
  await installGatewayApi();
  ns = await scratchNamespace(kc, 'detect-objects');
  watched = await watchIncidents([ns.name]);
});
after(async () => {
  watched?.dispose();
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await ns?.remove();
  for (const name of crdNames) await crds.deleteCustomResourceDefinition({ name }).catch(() => undefined);
});

/** Runs a Node script in a child process (its memory is not this process's) and returns its stdout. */
function child(script: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ngd-child-'));
  const file = join(dir, 'child.mjs');
  writeFileSync(file, script);
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [file], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (code) => {
      rmSync(dir, { recursive: true, force: true });
      if (code === 0) resolve(out.trim());
      else reject(new Error(`child exited ${code}: ${err}`));
    });
  });
}

/** Every match of `pattern` in a file, read in chunks (a heap snapshot is large). */
async function matchesInFile(file: string, pattern: RegExp, overlap = 200): Promise<Set<string>> {
  const found = new Set<string>();
  let tail = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 22 })) {
    const text = tail + (chunk as string);
    for (const m of text.matchAll(pattern)) found.add(m[0]);
    tail = text.slice(-overlap);
  }
  return found;
}

describe('object-side detection', { concurrency: true }, () => {
  test('a cluster without the Gateway API CRDs is no error: the session syncs without a note about them', () => {
    assert.ok(withoutCrds, 'checked before the CRDs were installed');
    assert.equal(withoutCrds.synced, true);
    assert.deepEqual(
      withoutCrds.notes.filter((n) => /Gateway|HTTPRoute/.test(n)),
      [],
    );
    assert.equal(withoutCrds.gatewayClasses, 0);
  });

  test("Secrets are held as metadata only: an applied Secret's plaintext is nowhere in the snapshot, the informer or the heap", async () => {
    // The Secret is created by another process, the way `kubectl apply` creates it: with the
    // last-applied annotation that repeats the manifest, plaintext stringData included. This
    // process never sees the value unless NimbusGuard reads and keeps it.
    const { name, annotated } = await child(`
      import { createRequire } from 'node:module';
      import { randomBytes } from 'node:crypto';
      const require = createRequire(${JSON.stringify(join(repoRoot, 'package.json'))});
      const k8s = await import(require.resolve('@kubernetes/client-node'));
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(${JSON.stringify(kubeconfigPath)});
      kc.setCurrentContext(${JSON.stringify(ADMIN)});
      const value = 'ngd-plain-' + randomBytes(10).toString('hex');
      const manifest = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-credentials', namespace: ${JSON.stringify(ns.name)} }, type: 'Opaque', stringData: { password: value } };
      const body = { ...manifest, metadata: { ...manifest.metadata, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(manifest) + '\\n' } } };
      const api = kc.makeApiClient(k8s.CoreV1Api);
      await api.createNamespacedSecret({ namespace: ${JSON.stringify(ns.name)}, body });
      // What the API server holds, as an admin reads it: the annotation does carry the plaintext.
      const stored = await api.readNamespacedSecret({ name: manifest.metadata.name, namespace: ${JSON.stringify(ns.name)} });
      const annotated = (stored.metadata?.annotations?.['kubectl.kubernetes.io/last-applied-configuration'] ?? '').includes(value);
      console.log(JSON.stringify({ name: manifest.metadata.name, annotated }));
    `).then((out) => JSON.parse(out) as { name: string; annotated: boolean });
    const session = watched.session;
    await waitFor(`Secret ${name} in the snapshot`, () => session.snapshot.get('Secret', ns.name, name), 30_000);
    assert.ok(annotated, 'the API server holds the plaintext in the last-applied annotation');
    const held = JSON.stringify({
      snapshot: session.snapshot.list('Secret'),
      informer: session.cachedObjects('Secret'),
    });
    assert.doesNotMatch(held, /ngd-plain-|last-applied|managedFields|"data"|stringData|annotations":\{"/);
    const cached = session.cachedObjects('Secret').find((o) => o.metadata?.name === name) as
      Record<string, unknown> | undefined;
    assert.ok(cached, 'the informer holds the Secret');
    assert.ok(
      Object.keys(cached).every((k) => ['apiVersion', 'kind', 'metadata'].includes(k)),
      `only identity: ${Object.keys(cached).join(', ')}`,
    );
    assert.deepEqual(Object.keys(cached['metadata'] as object).sort(), [
      'creationTimestamp',
      'name',
      'namespace',
      'resourceVersion',
      'uid',
    ]);
    // And nowhere in this process's heap (a control value this process does hold is found).
    // Parsed from JSON like anything read from the API, so it is one flat string in the heap.
    const control = JSON.parse(`"ngd-plain-${randomBytes(10).toString('hex')}"`) as string;
    const dir = mkdtempSync(join(tmpdir(), 'ngd-heap-'));
    try {
      const file = writeHeapSnapshot(join(dir, 'heap.heapsnapshot'));
      const found = await matchesInFile(file, new RegExp('ngd-plain-[0-9a-f]{20}(?![0-9a-f])', 'g'));
      assert.deepEqual([...found], [control], 'only the control value is in the heap');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(
    'a healthy namespace with Ingresses, a PDB, ingress and egress allow-list NetworkPolicies, a StatefulSet with storage, a Job and Gateway API routes raises nothing',
    { timeout: 300_000 },
    async (t) => {
      const healthy = await scratchNamespace(kc, 'detect-healthy');
      const own = await watchIncidents([healthy.name]);
      const cls = `ngd-class-${suffix}`;
      const sc = `ngd-static-${suffix}`;
      const pv = `ngd-pv-${suffix}`;
      const gwc = `ngd-gwc-${suffix}`;
      t.after(async () => {
        own.dispose();
        await healthy.remove();
        await networking.deleteIngressClass({ name: cls }).catch(() => undefined);
        await core.deletePersistentVolume({ name: pv }).catch(() => undefined);
        await storage.deleteStorageClass({ name: sc }).catch(() => undefined);
        await custom.deleteClusterCustomObject({ ...GW, plural: 'gatewayclasses', name: gwc }).catch(() => undefined);
      });
      const n = healthy.name;
      await networking.createIngressClass({
        body: { metadata: { name: cls }, spec: { controller: 'nimbusguard.dev/test-ingress' } },
      });
      await storage.createStorageClass({
        body: { metadata: { name: sc }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'Immediate' },
      });
      await core.createPersistentVolume({
        body: {
          metadata: { name: pv },
          spec: {
            storageClassName: sc,
            capacity: { storage: '1Gi' },
            accessModes: ['ReadWriteOnce'],
            hostPath: { path: `/tmp/${pv}` },
          },
        },
      });
      await apps.createNamespacedDeployment({ namespace: n, body: deployment('web', { replicas: 2 }) });
      await core.createNamespacedService({
        namespace: n,
        body: {
          metadata: { name: 'web' },
          spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
        },
      });
      await core.createNamespacedSecret({
        namespace: n,
        body: { metadata: { name: 'web-tls' }, type: 'Opaque', stringData: { note: 'placeholder' } },
      });
      await networking.createNamespacedIngress({
        namespace: n,
        body: {
          metadata: { name: 'web' },
          spec: {
            ingressClassName: cls,
            tls: [{ hosts: ['web.example.com'], secretName: 'web-tls' }],
            rules: [
              {
                host: 'web.example.com',
                http: {
                  paths: [
                    { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } },
                    {
                      path: '/named',
                      pathType: 'Prefix',
                      backend: { service: { name: 'web', port: { name: 'http' } } },
                    },
                  ],
                },
              },
            ],
          },
        },
      });
      await policy.createNamespacedPodDisruptionBudget({
        namespace: n,
        body: { metadata: { name: 'web' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } },
      });
      // An allow-list that isolates web and admits its target port from the ingress namespace.
      await networking.createNamespacedNetworkPolicy({
        namespace: n,
        body: {
          metadata: { name: 'web-from-edge' },
          spec: {
            podSelector: { matchLabels: { app: 'web' } },
            policyTypes: ['Ingress'],
            ingress: [
              {
                _from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }],
                ports: [{ protocol: 'TCP', port: 8080 }],
              },
            ],
          },
        },
      });
      // An egress allow-list that keeps DNS: port 53 to kube-dns, and the database port.
      await networking.createNamespacedNetworkPolicy({
        namespace: n,
        body: {
          metadata: { name: 'web-egress' },
          spec: {
            podSelector: { matchLabels: { app: 'web' } },
            policyTypes: ['Egress'],
            egress: [
              {
                to: [
                  {
                    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
                    podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
                  },
                ],
                ports: [
                  { protocol: 'UDP', port: 53 },
                  { protocol: 'TCP', port: 53 },
                ],
              },
              { to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ protocol: 'TCP', port: 5432 }] },
            ],
          },
        },
      });
      await core.createNamespacedService({
        namespace: n,
        body: {
          metadata: { name: 'db' },
          spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] },
        },
      });
      await apps.createNamespacedStatefulSet({
        namespace: n,
        body: {
          metadata: { name: 'db' },
          spec: {
            serviceName: 'db',
            replicas: 1,
            selector: { matchLabels: { app: 'db' } },
            template: {
              metadata: { labels: { app: 'db' } },
              spec: {
                containers: [
                  {
                    name: 'db',
                    image: 'registry.example/db:1.0',
                    resources: { requests: { cpu: '10m', memory: '32Mi' } },
                  },
                ],
              },
            },
            volumeClaimTemplates: [
              {
                metadata: { name: 'data' },
                spec: {
                  storageClassName: sc,
                  accessModes: ['ReadWriteOnce'],
                  resources: { requests: { storage: '1Gi' } },
                },
              },
            ],
          },
        },
      });
      await batch.createNamespacedJob({
        namespace: n,
        body: {
          metadata: { name: 'migrate' },
          spec: {
            backoffLimit: 2,
            template: {
              spec: {
                restartPolicy: 'Never',
                containers: [{ name: 'migrate', image: 'registry.example/migrate:1.0' }],
              },
            },
          },
        },
      });
      await custom.createClusterCustomObject({
        ...GW,
        plural: 'gatewayclasses',
        body: {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'GatewayClass',
          metadata: { name: gwc },
          spec: { controllerName: 'nimbusguard.dev/test-gateway' },
        },
      });
      await custom.createNamespacedCustomObject({
        ...GW,
        namespace: n,
        plural: 'gateways',
        body: {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'Gateway',
          metadata: { name: 'edge' },
          spec: { gatewayClassName: gwc, listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
        },
      });
      await custom.createNamespacedCustomObject({
        ...GW,
        namespace: n,
        plural: 'httproutes',
        body: {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'HTTPRoute',
          metadata: { name: 'web' },
          spec: { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] },
        },
      });
      // This test plays the Gateway controller: it accepts the class and programs the Gateway.
      const now = new Date().toISOString();
      const ok = (type: string) => ({
        type,
        status: 'True',
        reason: type,
        message: '',
        lastTransitionTime: now,
        observedGeneration: 1,
      });
      await custom.patchClusterCustomObjectStatus(
        { ...GW, plural: 'gatewayclasses', name: gwc, body: { status: { conditions: [ok('Accepted')] } } },
        MERGE_PATCH,
      );
      await custom.patchNamespacedCustomObjectStatus(
        {
          ...GW,
          namespace: n,
          plural: 'gateways',
          name: 'edge',
          body: { status: { conditions: [ok('Accepted'), ok('Programmed')] } },
        },
        MERGE_PATCH,
      );

      const snapshot = own.session.snapshot;
      await waitFor(
        'the claim bound, the StatefulSet and web ready, the Job complete',
        async () => {
          const claim = snapshot.get('PersistentVolumeClaim', n, 'data-db-0');
          const job = snapshot.get('Job', n, 'migrate');
          return (
            claim?.phase === 'Bound' &&
            snapshot.getWorkload('StatefulSet', n, 'db')?.ready === 1 &&
            snapshot.getWorkload('Deployment', n, 'web')?.ready === 2 &&
            job?.succeeded === 1
          );
        },
        150_000,
        1_000,
      );
      // Past every grace period (references 60 s, PDBs 90 s), with the tracker evaluating each second.
      await sleep(100_000);
      const pdbNow = snapshot.get('PodDisruptionBudget', n, 'web');
      assert.equal(pdbNow?.disruptionsAllowed, 1, 'the budget allows one eviction');
      for (const [kind, name] of [
        ['Ingress', 'web'],
        ['Secret', 'web-tls'],
        ['IngressClass', cls],
        ['StorageClass', sc],
        ['PersistentVolume', pv],
        ['Gateway', 'edge'],
        ['HTTPRoute', 'web'],
        ['GatewayClass', gwc],
        ['NetworkPolicy', 'web-from-edge'],
        ['NetworkPolicy', 'web-egress'],
      ] as const) {
        assert.ok(
          snapshot.get(
            kind,
            kind === 'IngressClass' || kind === 'StorageClass' || kind === 'PersistentVolume' || kind === 'GatewayClass'
              ? ''
              : n,
            name,
          ),
          `the session sees ${kind} ${name}`,
        );
      }
      const mine = own.monitor
        .open()
        .filter((i) => i.workload.namespace === n || [cls, sc, pv, gwc].includes(i.workload.name));
      assert.deepEqual(
        mine.map((i) => `${i.type} ${i.workload.kind}/${i.workload.name}: ${i.summary}`),
        [],
      );
    },
  );

  test('StatefulSetMisconfigured: a volumeClaimTemplate naming a StorageClass that does not exist, until it is created', async (t) => {
    const sc = `ngd-fast-${suffix}`;
    t.after(() => storage.deleteStorageClass({ name: sc }).catch(() => undefined));
    await apps.createNamespacedStatefulSet({
      namespace: ns.name,
      body: {
        metadata: { name: 'ledger' },
        spec: {
          serviceName: '',
          replicas: 1,
          selector: { matchLabels: { app: 'ledger' } },
          template: {
            metadata: { labels: { app: 'ledger' } },
            spec: { containers: [{ name: 'ledger', image: 'registry.example/ledger:1.0' }] },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: 'journal' },
              spec: {
                storageClassName: sc,
                accessModes: ['ReadWriteOnce'],
                resources: { requests: { storage: '1Gi' } },
              },
            },
          ],
        },
      },
    });
    const incident = await waitForIncident(
      watched.monitor,
      'StatefulSetMisconfigured',
      'StatefulSet',
      'ledger',
      ns.name,
      120_000,
    );
    assert.equal(incident.key, 'storageclass:journal');
    assert.equal(incident.severity, 'critical');
    assert.match(incident.summary, new RegExp(`claims volume journal from StorageClass ${sc}, which does not exist`));
    const cause = await waitFor('its cause', () => watched.monitor.rootCause(incident.id), 30_000);
    assert.equal(cause.category, 'statefulset-config');
    assert.match(
      cause.summary,
      new RegExp(`^StorageClass ${sc} does not exist; StatefulSet ledger claims volume journal from it`),
    );
    assert.deepEqual(cause.fields, ['spec.volumeClaimTemplates[0].spec.storageClassName']);
    await storage.createStorageClass({ body: { metadata: { name: sc }, provisioner: 'nimbusguard.dev/none' } });
    await waitFor('the incident to resolve', () => watched.monitor.get(incident.id)?.status === 'resolved', 60_000);
  });

  test('VolumeLost: a bound claim whose PersistentVolume is deleted is Lost', async (t) => {
    const pv = `ngd-lost-${suffix}`;
    t.after(() => core.deletePersistentVolume({ name: pv }).catch(() => undefined));
    await core.createPersistentVolume({
      body: {
        metadata: { name: pv },
        spec: {
          storageClassName: '',
          capacity: { storage: '1Gi' },
          accessModes: ['ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Retain',
          hostPath: { path: `/tmp/${pv}` },
        },
      },
    });
    await core.createNamespacedPersistentVolumeClaim({
      namespace: ns.name,
      body: {
        metadata: { name: 'archive' },
        spec: {
          storageClassName: '',
          volumeName: pv,
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '1Gi' } },
        },
      },
    });
    await waitFor(
      'the claim to bind',
      async () =>
        (await core.readNamespacedPersistentVolumeClaim({ name: 'archive', namespace: ns.name })).status?.phase ===
        'Bound',
      60_000,
    );
    // The pv-protection finalizer keeps a bound volume; an operator who removes it loses the volume.
    await core.deletePersistentVolume({ name: pv });
    await core.patchPersistentVolume({ name: pv, body: { metadata: { finalizers: null } } }, MERGE_PATCH);
    const incident = await waitForIncident(
      watched.monitor,
      'VolumeLost',
      'PersistentVolumeClaim',
      'archive',
      ns.name,
      120_000,
    );
    assert.equal(incident.severity, 'critical');
    assert.match(
      incident.summary,
      new RegExp(`PVC archive is Lost: its volume ${pv} is gone; PersistentVolume ${pv} no longer exists`),
    );
    const cause = await waitFor('its cause', () => watched.monitor.rootCause(incident.id), 30_000);
    assert.equal(cause.category, 'volume-lost');
    assert.equal(cause.summary, `PersistentVolume ${pv} was deleted while claim archive was bound to it`);
  });

  test('VolumeLost: a PersistentVolume whose reclaim fails is Failed', async (t) => {
    const pv = `ngd-failed-${suffix}`;
    t.after(async () => {
      await core
        .patchPersistentVolume({ name: pv, body: { metadata: { finalizers: null } } }, MERGE_PATCH)
        .catch(() => undefined);
      await core.deletePersistentVolume({ name: pv }).catch(() => undefined);
    });
    await core.createPersistentVolume({
      body: {
        metadata: { name: pv },
        spec: {
          storageClassName: '',
          capacity: { storage: '1Gi' },
          accessModes: ['ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Delete',
          hostPath: { path: `/var/lib/${pv}` },
        },
      },
    });
    await core.createNamespacedPersistentVolumeClaim({
      namespace: ns.name,
      body: {
        metadata: { name: 'scratch' },
        spec: {
          storageClassName: '',
          volumeName: pv,
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '1Gi' } },
        },
      },
    });
    await waitFor(
      'the claim to bind',
      async () =>
        (await core.readNamespacedPersistentVolumeClaim({ name: 'scratch', namespace: ns.name })).status?.phase ===
        'Bound',
      60_000,
    );
    // Released with reclaim policy Delete: the hostPath deleter only deletes under /tmp, so it fails.
    await core.deleteNamespacedPersistentVolumeClaim({ name: 'scratch', namespace: ns.name });
    const incident = await waitForIncident(watched.monitor, 'VolumeLost', 'PersistentVolume', pv, undefined, 120_000);
    assert.equal(incident.workload.namespace, '');
    assert.equal(incident.severity, 'warning');
    assert.match(incident.summary, new RegExp(`PersistentVolume ${pv} is Failed`));
    const cause = await waitFor('its cause', () => watched.monitor.rootCause(incident.id), 30_000);
    assert.equal(cause.category, 'volume-lost');
    assert.match(cause.summary, new RegExp(`^reclaiming PersistentVolume ${pv} \\(policy Delete\\) failed`));
  });

  test('NodeProblem: KernelDeadlock from node-problem-detector, and DiskPressure Unknown on a Ready node', async (t) => {
    const name = `ngd-npd-${suffix}`;
    const renew = () =>
      coordination.patchNamespacedLease(
        {
          name,
          namespace: 'kube-node-lease',
          body: { spec: { renewTime: new k8s.V1MicroTime(new Date().toISOString()) } },
        },
        MERGE_PATCH,
      );
    const renewing = setInterval(() => void renew().catch(() => undefined), 5_000);
    t.after(async () => {
      clearInterval(renewing);
      await core.deleteNode({ name }).catch(() => undefined);
      await coordination.deleteNamespacedLease({ name, namespace: 'kube-node-lease' }).catch(() => undefined);
    });
    const capacity = { cpu: '2', memory: '4Gi', pods: '20' };
    await core.createNode({
      body: {
        metadata: { name, labels: { 'nimbusguard.dev/detect-test': 'true' } },
        spec: { taints: [{ key: 'nimbusguard.dev/detect-test', effect: 'NoSchedule' }] },
        status: { capacity, allocatable: capacity },
      },
    });
    const at = new Date();
    const c = (type: string, status: string, reason: string, message: string): k8s.V1NodeCondition => ({
      type,
      status,
      reason,
      message,
      lastHeartbeatTime: at,
      lastTransitionTime: at,
    });
    // The kubelet's conditions, and node-problem-detector's: both are written to the node status.
    await core.patchNodeStatus(
      {
        name,
        body: {
          status: {
            conditions: [
              c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
              c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
              c('DiskPressure', 'Unknown', 'KubeletDiskStatsUnknown', 'kubelet cannot read image filesystem stats'),
              c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
              c(
                'KernelDeadlock',
                'True',
                'DockerHung',
                'kernel: INFO: task docker:20744 blocked for more than 120 seconds.',
              ),
              c('ReadonlyFilesystem', 'False', 'FilesystemIsNotReadOnly', 'Filesystem is not read-only'),
            ],
          },
        },
      },
      STRATEGIC_PATCH,
    );
    await coordination.createNamespacedLease({
      namespace: 'kube-node-lease',
      body: {
        metadata: { name },
        spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new k8s.V1MicroTime(at.toISOString()) },
      },
    });
    const deadlock = await waitForIncident(
      watched.monitor,
      'NodeProblem',
      'Node',
      name,
      undefined,
      90_000,
      (i) => i.key === 'KernelDeadlock',
    );
    assert.equal(deadlock.severity, 'critical');
    assert.equal(
      deadlock.summary,
      `Node ${name} reports KernelDeadlock=True (DockerHung): kernel: INFO: task docker:20744 blocked for more than 120 seconds.`,
    );
    const unknown = await waitForIncident(
      watched.monitor,
      'NodeProblem',
      'Node',
      name,
      undefined,
      30_000,
      (i) => i.key === 'DiskPressure',
    );
    assert.equal(unknown.severity, 'warning');
    assert.match(
      unknown.summary,
      /reports DiskPressure as Unknown: the kubelet cannot tell whether the node is under pressure/,
    );
    const cause = await waitFor('the cause', () => watched.monitor.rootCause(deadlock.id), 30_000);
    assert.equal(cause.category, 'node-problem');
    assert.match(cause.summary, new RegExp(`^node ${name}: KernelDeadlock=True`));
    assert.ok(
      !watched.monitor.open().some((i) => i.workload.name === name && i.key === 'ReadonlyFilesystem'),
      'a False problem condition is fine',
    );
  });

  test('GatewayMisconfigured: a class no controller accepts, a Gateway not programmed, a route with a missing parent, backend and port', async (t) => {
    const orphan = `ngd-orphan-${suffix}`;
    const served = `ngd-served-${suffix}`;
    t.after(async () => {
      for (const name of [orphan, served])
        await custom.deleteClusterCustomObject({ ...GW, plural: 'gatewayclasses', name }).catch(() => undefined);
    });
    const api = 'gateway.networking.k8s.io/v1';
    await custom.createClusterCustomObject({
      ...GW,
      plural: 'gatewayclasses',
      body: {
        apiVersion: api,
        kind: 'GatewayClass',
        metadata: { name: orphan },
        spec: { controllerName: 'example.com/not-installed' },
      },
    });
    await custom.createClusterCustomObject({
      ...GW,
      plural: 'gatewayclasses',
      body: {
        apiVersion: api,
        kind: 'GatewayClass',
        metadata: { name: served },
        spec: { controllerName: 'nimbusguard.dev/test-gateway' },
      },
    });
    await custom.createNamespacedCustomObject({
      ...GW,
      namespace: ns.name,
      plural: 'gateways',
      body: {
        apiVersion: api,
        kind: 'Gateway',
        metadata: { name: 'public' },
        spec: { gatewayClassName: served, listeners: [{ name: 'https', port: 443, protocol: 'HTTPS' }] },
      },
    });
    await core.createNamespacedService({
      namespace: ns.name,
      body: {
        metadata: { name: 'storefront' },
        spec: { selector: { app: 'storefront' }, ports: [{ port: 80, targetPort: 8080 }] },
      },
    });
    await custom.createNamespacedCustomObject({
      ...GW,
      namespace: ns.name,
      plural: 'httproutes',
      body: {
        apiVersion: api,
        kind: 'HTTPRoute',
        metadata: { name: 'store' },
        spec: {
          parentRefs: [{ name: 'publik' }],
          rules: [
            { backendRefs: [{ name: 'storefront', port: 8080 }] },
            { backendRefs: [{ name: 'payments', port: 80 }] },
          ],
        },
      },
    });
    // This test plays the controller of the served class: accepted, but no address for the Gateway.
    const now = new Date().toISOString();
    await custom.patchClusterCustomObjectStatus(
      {
        ...GW,
        plural: 'gatewayclasses',
        name: served,
        body: {
          status: {
            conditions: [
              { type: 'Accepted', status: 'True', reason: 'Accepted', message: '', lastTransitionTime: now },
            ],
          },
        },
      },
      MERGE_PATCH,
    );
    await custom.patchNamespacedCustomObjectStatus(
      {
        ...GW,
        namespace: ns.name,
        plural: 'gateways',
        name: 'public',
        body: {
          status: {
            conditions: [
              { type: 'Accepted', status: 'True', reason: 'Accepted', message: '', lastTransitionTime: now },
              {
                type: 'Programmed',
                status: 'False',
                reason: 'AddressNotAssigned',
                message: 'no load balancer address is available',
                lastTransitionTime: now,
              },
            ],
          },
        },
      },
      MERGE_PATCH,
    );
    const cls = await waitForIncident(
      watched.monitor,
      'GatewayMisconfigured',
      'GatewayClass',
      orphan,
      undefined,
      120_000,
    );
    assert.equal(
      cls.summary,
      `GatewayClass ${orphan} is not accepted: no controller has accepted it (controllerName example.com/not-installed)`,
    );
    const gw = await waitForIncident(watched.monitor, 'GatewayMisconfigured', 'Gateway', 'public', ns.name, 60_000);
    assert.equal(
      gw.summary,
      'Gateway public is not programmed: AddressNotAssigned: no load balancer address is available',
    );
    const keys = await waitFor(
      'three route incidents',
      () => {
        const found = watched.monitor
          .open()
          .filter(
            (i) => i.type === 'GatewayMisconfigured' && i.workload.kind === 'HTTPRoute' && i.workload.name === 'store',
          );
        return found.length === 3 ? found : undefined;
      },
      60_000,
    );
    assert.deepEqual(keys.map((i) => i.key).sort(), [
      `backend:${ns.name}/payments`,
      `parent:${ns.name}/publik`,
      `port:${ns.name}/storefront:8080`,
    ]);
    const causeOf = (key: string) =>
      waitFor(`cause of ${key}`, () => watched.monitor.rootCause(keys.find((i) => i.key === key)!.id), 30_000);
    assert.equal(
      (await causeOf(`parent:${ns.name}/publik`)).summary,
      `Gateway ${ns.name}/publik does not exist; HTTPRoute store attaches to it (did you mean public?)`,
    );
    assert.equal(
      (await causeOf(`backend:${ns.name}/payments`)).summary,
      `Service ${ns.name}/payments does not exist; HTTPRoute store sends traffic to it`,
    );
    const port = await causeOf(`port:${ns.name}/storefront:8080`);
    assert.equal(
      port.summary,
      'Service storefront has no port 8080 (its ports: 80); HTTPRoute store sends traffic to it',
    );
    assert.deepEqual(port.fields, ['spec.rules[0].backendRefs[0].port']);
    assert.equal(
      (await waitFor('class cause', () => watched.monitor.rootCause(cls.id), 30_000)).category,
      'gateway-config',
    );
  });

  test(
    'scan --json puts object-side incidents on the objects the user edits, with causes naming the culprit',
    { timeout: 300_000 },
    async (t) => {
      const target = await scratchNamespace(kc, 'detect-scan');
      t.after(() => target.remove());
      const n = target.name;
      await apps.createNamespacedDeployment({ namespace: n, body: deployment('solo', { replicas: 1 }) });
      await policy.createNamespacedPodDisruptionBudget({
        namespace: n,
        body: { metadata: { name: 'solo' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'solo' } } } },
      });
      await networking.createNamespacedIngress({
        namespace: n,
        body: {
          metadata: { name: 'front' },
          spec: {
            rules: [
              {
                http: {
                  paths: [
                    {
                      path: '/',
                      pathType: 'Prefix',
                      backend: { service: { name: 'missing-svc', port: { number: 80 } } },
                    },
                  ],
                },
              },
            ],
          },
        },
      });
      await apps.createNamespacedStatefulSet({
        namespace: n,
        body: {
          metadata: { name: 'cache' },
          spec: {
            serviceName: 'cache-headless',
            replicas: 1,
            selector: { matchLabels: { app: 'cache' } },
            template: {
              metadata: { labels: { app: 'cache' } },
              spec: { containers: [{ name: 'cache', image: 'registry.example/cache:1.0' }] },
            },
          },
        },
      });
      // Past the reference grace of every object, and the disruption controller has judged the budget for a minute.
      const sts = await apps.readNamespacedStatefulSet({ name: 'cache', namespace: n });
      await waitFor(
        'the budget blocked for 60 s and the StatefulSet a minute old',
        async () => {
          const b = await policy.readNamespacedPodDisruptionBudget({ name: 'solo', namespace: n });
          const c = b.status?.conditions?.find((x) => x.type === 'DisruptionAllowed');
          const since = (t: Date | undefined) => Date.now() - new Date(t ?? Date.now()).getTime();
          return (
            c?.status === 'False' &&
            since(c.lastTransitionTime) > 62_000 &&
            since(sts.metadata?.creationTimestamp) > 62_000
          );
        },
        200_000,
        2_000,
      );
      const out = await new Promise<string>((resolve, reject) => {
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
            n,
            '--json',
          ],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let text = '';
        let err = '';
        p.stdout.on('data', (d: Buffer) => (text += d.toString()));
        p.stderr.on('data', (d: Buffer) => (err += d.toString()));
        p.on('close', (code) => (code === 1 ? resolve(text) : reject(new Error(`scan exited ${code}: ${err}`))));
      });
      const incidents = (
        JSON.parse(out) as {
          incidents: {
            type: string;
            kind: string;
            name: string;
            namespace: string;
            rootCause?: { summary: string; category: string };
          }[];
        }
      ).incidents;
      const of = (type: string) => incidents.filter((i) => i.type === type);
      assert.deepEqual(
        ['DisruptionBlocked', 'IngressMisconfigured', 'StatefulSetMisconfigured'].map(
          (type) => of(type).map((i) => `${i.kind}/${i.name}`)[0],
        ),
        ['PodDisruptionBudget/solo', 'Ingress/front', 'StatefulSet/cache'],
      );
      assert.match(of('DisruptionBlocked')[0]!.rootCause!.summary, /^PDB solo \(selector app=solo\) counts 1 pod/);
      const ingressCauses = of('IngressMisconfigured').map((i) => i.rootCause?.summary ?? '');
      assert.ok(
        ingressCauses.includes(`Service missing-svc does not exist in namespace ${n}; Ingress front routes */ to it`),
        ingressCauses.join('\n'),
      );
      assert.match(of('StatefulSetMisconfigured')[0]!.rootCause!.summary, /^Service cache-headless does not exist/);
      assert.ok(
        incidents.every((i) => i.namespace === n || i.namespace === ''),
        'only the scanned namespace (and cluster-scoped objects)',
      );
      assert.equal(
        incidents.filter((i) => i.kind === 'Pod' || i.kind === 'ReplicaSet').length,
        0,
        "nothing on a controller's pods",
      );
    },
  );
});
