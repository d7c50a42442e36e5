// The Workloads view in real VS Code: a Deployment created through the Kubernetes API shows up under
// its namespace with its ready count, and the status bar names the current context.
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
