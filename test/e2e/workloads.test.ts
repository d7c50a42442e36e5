// The Workloads view in real VS Code: a Deployment created through the Kubernetes API shows up under
// its namespace with its ready count, and the status bar names the current context; an OOMKilled
// workload shows its incident in the tree and in the status bar's count.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchVSCode, type VSCodeSession } from '../harness/vscode/index';
import { adminContext, clusterKubeconfig, deleteNamespace, deployment, eventually, freshNamespace, kubeClients } from './kube';

const namespace = 'e2e-workloads';
let kubeconfig = '';
let kube: ReturnType<typeof kubeClients> | undefined;
let workspace = '';
let vscode: VSCodeSession | undefined;
let failed = false;

before(async () => {
  kubeconfig = clusterKubeconfig();
  kube = kubeClients(kubeconfig);
  await freshNamespace(kube.core, namespace);
  await kube.apps.createNamespacedDeployment({ namespace, body: deployment(namespace, 'web', 2, 'registry.example/web:1.0') });
  const checkout = deployment(namespace, 'checkout', 1, 'registry.example/checkout:2.1');
  const pod = checkout.spec!.template;
  pod.metadata!.annotations = { 'sim.nimbusguard.dev/memory-peak': '300Mi' };
  pod.spec!.containers[0]!.resources = { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } };
  await kube.apps.createNamespacedDeployment({ namespace, body: checkout });
  workspace = mkdtempSync(join(tmpdir(), 'nimbusguard-e2e-workspace-'));
  writeFileSync(join(workspace, 'README.md'), '# e2e workspace\n');
  vscode = await launchVSCode({ workspace, env: { KUBECONFIG: kubeconfig } });
}, { timeout: 240_000 });

after(async () => {
  try {
    await vscode?.close({ name: 'workloads', failed });
  } finally {
    if (workspace) rmSync(workspace, { recursive: true, force: true });
    if (kube) await deleteNamespace(kube.core, namespace);
  }
}, { timeout: 120_000 });

test('the Workloads view lists the new Deployment under its namespace and the status bar shows the context', { timeout: 240_000 }, async (t) => {
  assert.ok(vscode, 'VS Code started');
  const { workbench } = vscode;
  try {
    await workbench.openViewContainer('NimbusGuard');
    const pane = await workbench.openViewPane('Workloads');

    await workbench.waitForTreeItem(adminContext, { scope: pane, timeoutMs: 60_000 });
    await workbench.expandTreeItem(adminContext, { scope: pane });
    await workbench.waitForTreeItem(namespace, { scope: pane, timeoutMs: 60_000 });
    await workbench.expandTreeItem(namespace, { scope: pane });
    await workbench.waitForTreeItem('web', { scope: pane, timeoutMs: 60_000 });

    const labels = await workbench.treeLabels(pane);
    assert.equal(labels[0], adminContext, `the context is the first row: ${labels.join(', ')}`);
    assert.ok(labels.indexOf(namespace) < labels.indexOf('web'), `the namespace precedes its workload: ${labels.join(', ')}`);

    // kwok marks the pods ready shortly after they are scheduled; the row follows the watch.
    const description = await eventually('web to report 2/2 ready', async () => {
      const { description } = await workbench.treeItemText('web', pane);
      return description.includes('2/2') ? description : undefined;
    });
    assert.match(description, /2\/2/);

    const status = await workbench.waitForStatusBar(adminContext);
    assert.ok(status.includes(adminContext), `status bar entry: ${status}`);

    const shot = await vscode.screenshot('workloads');
    t.diagnostic(`screenshot: ${shot}`);
  } catch (error) {
    failed = true;
    throw error;
  }
});

test('an OOMKilled workload shows its incident in the tree and the status bar counts it', { timeout: 240_000 }, async (t) => {
  assert.ok(vscode, 'VS Code started');
  const { workbench } = vscode;
  try {
    const pane = await workbench.openViewPane('Workloads');
    await workbench.waitForTreeItem('checkout', { scope: pane, timeoutMs: 60_000 });
    await workbench.expandTreeItem('checkout', { scope: pane });
    const incident = await workbench.waitForTreeItem('OOMKilled', { scope: pane, timeoutMs: 90_000 });
    const { description } = await workbench.treeItemText('OOMKilled', pane);
    assert.match(description, /checkout/, `the incident row explains itself: ${description}`);
    assert.match(description, /OOMKilled|memory/i);
    assert.ok(await incident.isVisible());

    const status = await eventually('the status bar to count the open incidents', async () => {
      const text = await workbench.waitForStatusBar(adminContext);
      const count = /nimbusguard-admin\D+(\d+)/.exec(text);
      return count && Number(count[1]) >= 2 ? text : undefined;
    });
    assert.match(status, /nimbusguard-admin/);

    const shot = await vscode.screenshot('incidents');
    t.diagnostic(`screenshot: ${shot}`);
  } catch (error) {
    failed = true;
    throw error;
  }
});
