// The Workloads view in real VS Code shows incidents on the objects a developer edits that are not
// workloads: an Ingress routing to a missing Service and a PodDisruptionBudget that allows no
// eviction appear under their namespace, beside the workload, each with its incident as a child; a
// failed PersistentVolume (cluster-scoped) appears under "Cluster objects".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { launchVSCode, type VSCodeSession } from '../harness/vscode/index';
import {
  ADMIN,
  deleteNamespace,
  deployment,
  freshNamespace,
  kubeClients,
  kubeconfigPath,
  waitFor,
} from '../harness/kubeKit';

const namespace = 'e2e-objects';
const CLASS = 'e2e-objects-class';
const VOLUME = 'e2e-objects-volume';
let kube: ReturnType<typeof kubeClients> | undefined;
let workspace = '';
let vscode: VSCodeSession | undefined;
let failed = false;

before(
  async () => {
    const kubeconfig = kubeconfigPath;
    kube = kubeClients(kubeconfig);
    await freshNamespace(kube.core, namespace);
    await kube.apps.createNamespacedDeployment({
      namespace,
      body: deployment('web', {
        namespace,
        container: 'web',
        image: 'registry.example/web:1.0',
        replicas: 1,
        requests: { cpu: '50m', memory: '64Mi' },
        memoryLimit: null,
      }),
    });
    const networking = kube.kc.makeApiClient(k8s.NetworkingV1Api);
    await networking.deleteIngressClass({ name: CLASS }).catch(() => undefined);
    await networking.createIngressClass({
      body: { metadata: { name: CLASS }, spec: { controller: 'nimbusguard.dev/e2e-ingress' } },
    });
    await networking.createNamespacedIngress({
      namespace,
      body: {
        metadata: { name: 'storefront' },
        spec: {
          ingressClassName: CLASS,
          rules: [
            {
              host: 'shop.example.com',
              http: {
                paths: [
                  { path: '/', pathType: 'Prefix', backend: { service: { name: 'checkout', port: { number: 80 } } } },
                ],
              },
            },
          ],
        },
      },
    });
    await kube.kc.makeApiClient(k8s.PolicyV1Api).createNamespacedPodDisruptionBudget({
      namespace,
      body: {
        metadata: { name: 'web-budget' },
        spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } },
      },
    });
    // A volume whose reclaim fails (the hostPath deleter only deletes under /tmp): Failed, cluster-scoped.
    await kube.core.deletePersistentVolume({ name: VOLUME }).catch(() => undefined);
    await kube.core.createPersistentVolume({
      body: {
        metadata: { name: VOLUME },
        spec: {
          storageClassName: '',
          capacity: { storage: '1Gi' },
          accessModes: ['ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Delete',
          hostPath: { path: `/var/lib/${VOLUME}` },
        },
      },
    });
    await kube.core.createNamespacedPersistentVolumeClaim({
      namespace,
      body: {
        metadata: { name: 'scratch' },
        spec: {
          storageClassName: '',
          volumeName: VOLUME,
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '1Gi' } },
        },
      },
    });
    await waitFor('the claim to bind', async () =>
      (await kube!.core.readNamespacedPersistentVolumeClaim({ name: 'scratch', namespace })).status?.phase === 'Bound'
        ? true
        : undefined,
    );
    await kube.core.deleteNamespacedPersistentVolumeClaim({ name: 'scratch', namespace });
    workspace = mkdtempSync(join(tmpdir(), 'nimbusguard-e2e-objects-'));
    writeFileSync(join(workspace, 'README.md'), '# e2e workspace\n');
    vscode = await launchVSCode({ workspace, env: { KUBECONFIG: kubeconfig } });
  },
  { timeout: 240_000 },
);

after(
  async () => {
    try {
      await vscode?.close({ name: 'objects', failed });
    } finally {
      if (workspace) rmSync(workspace, { recursive: true, force: true });
      if (kube) {
        await kube.kc
          .makeApiClient(k8s.NetworkingV1Api)
          .deleteIngressClass({ name: CLASS })
          .catch(() => undefined);
        await kube.core.deletePersistentVolume({ name: VOLUME }).catch(() => undefined);
        await deleteNamespace(kube.core, namespace);
      }
    }
  },
  { timeout: 120_000 },
);

test(
  'an Ingress with a missing backend and a PDB that allows no eviction show their incidents in the tree',
  { timeout: 300_000 },
  async (t) => {
    assert.ok(vscode, 'VS Code started');
    const { workbench } = vscode;
    try {
      await workbench.openViewContainer('NimbusGuard');
      const pane = await workbench.openViewPane('Workloads');
      await workbench.waitForTreeItem(ADMIN, { scope: pane, timeoutMs: 60_000 });
      await workbench.expandTreeItem(ADMIN, { scope: pane });
      await workbench.waitForTreeItem(namespace, { scope: pane, timeoutMs: 60_000 });
      await workbench.expandTreeItem(namespace, { scope: pane });
      // A reference to a missing object counts once the Ingress is a minute old; the budget once blocked for a minute.
      await workbench.waitForTreeItem('storefront', { scope: pane, timeoutMs: 180_000 });
      assert.equal((await workbench.treeItemText('storefront', pane)).description, 'Ingress');
      await workbench.expandTreeItem('storefront', { scope: pane });
      await workbench.waitForTreeItem('IngressMisconfigured', { scope: pane, timeoutMs: 30_000 });
      const ingressRow = await waitFor('the Ingress incident to explain itself', async () => {
        const { description } = await workbench.treeItemText('IngressMisconfigured', pane);
        return /checkout/.test(description) ? description : undefined;
      });
      assert.match(
        ingressRow,
        /Ingress storefront routes shop\.example\.com\/ to Service checkout, which does not exist/,
      );
      await workbench.waitForTreeItem('web-budget', { scope: pane, timeoutMs: 120_000 });
      assert.equal((await workbench.treeItemText('web-budget', pane)).description, 'PodDisruptionBudget');
      await workbench.expandTreeItem('web-budget', { scope: pane });
      await workbench.waitForTreeItem('DisruptionBlocked', { scope: pane, timeoutMs: 30_000 });
      const { description } = await workbench.treeItemText('DisruptionBlocked', pane);
      assert.match(description, /PDB web-budget allows no disruption: minAvailable 1 with 1 pod/);
      // Cluster-scoped objects other than nodes have a group of their own.
      await workbench.waitForTreeItem('Cluster objects', { scope: pane, timeoutMs: 60_000 });
      await workbench.expandTreeItem('Cluster objects', { scope: pane });
      await workbench.waitForTreeItem(VOLUME, { scope: pane, timeoutMs: 30_000 });
      assert.equal((await workbench.treeItemText(VOLUME, pane)).description, 'PersistentVolume');
      await workbench.expandTreeItem(VOLUME, { scope: pane });
      await workbench.waitForTreeItem('VolumeLost', { scope: pane, timeoutMs: 30_000 });
      assert.match(
        (await workbench.treeItemText('VolumeLost', pane)).description,
        new RegExp(`PersistentVolume ${VOLUME} is Failed`),
      );
      const labels = await workbench.treeLabels(pane);
      assert.ok(
        labels.indexOf(namespace) < labels.indexOf('web') && labels.indexOf('web') < labels.indexOf('storefront'),
        `the objects follow the workload in their namespace: ${labels.join(', ')}`,
      );
      t.diagnostic(`screenshot: ${await vscode.screenshot('object-incidents')}`);
    } catch (error) {
      failed = true;
      throw error;
    }
  },
);
