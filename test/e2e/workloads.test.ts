// The Workloads view in real VS Code: a Deployment created through the Kubernetes API shows up under
// its namespace with its ready count, and the status bar names the current context; an OOMKilled
// workload shows its incident in the tree and in the status bar's count.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { V1Deployment } from '@kubernetes/client-node';
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

const namespace = 'e2e-workloads';
const CHECKOUT_MANIFEST = `# The checkout service
apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout
  namespace: ${namespace}
spec:
  replicas: 1
  selector:
    matchLabels: { app: checkout }
  template:
    metadata:
      labels: { app: checkout }
      annotations:
        sim.nimbusguard.dev/memory-peak: 200Mi
    spec:
      containers:
        - name: checkout
          image: registry.example/checkout:2.1
          resources:
            requests: { cpu: 50m, memory: 64Mi }
            limits:
              memory: 128Mi   # sized for the old cart service
`;
let kubeconfig = '';
let kube: ReturnType<typeof kubeClients> | undefined;
let workspace = '';
let vscode: VSCodeSession | undefined;
let failed = false;

before(
  async () => {
    kubeconfig = kubeconfigPath;
    kube = kubeClients(kubeconfig);
    await freshNamespace(kube.core, namespace);
    await kube.apps.createNamespacedDeployment({
      namespace,
      body: deployment('web', {
        namespace,
        container: 'web',
        image: 'registry.example/web:1.0',
        replicas: 2,
        requests: { cpu: '50m', memory: '64Mi' },
        memoryLimit: null,
      }),
    });
    // The OOMKilled workload comes from a manifest in the workspace, as it would in a real project.
    workspace = mkdtempSync(join(tmpdir(), 'nimbusguard-e2e-workspace-'));
    writeFileSync(join(workspace, 'README.md'), '# e2e workspace\n');
    writeFileSync(join(workspace, 'checkout.yaml'), CHECKOUT_MANIFEST);
    await kube.apps.createNamespacedDeployment({ namespace, body: parse(CHECKOUT_MANIFEST) as V1Deployment });
    vscode = await launchVSCode({ workspace, env: { KUBECONFIG: kubeconfig } });
  },
  { timeout: 240_000 },
);

after(
  async () => {
    try {
      await vscode?.close({ name: 'workloads', failed });
    } finally {
      if (workspace) rmSync(workspace, { recursive: true, force: true });
      if (kube) await deleteNamespace(kube.core, namespace);
    }
  },
  { timeout: 120_000 },
);

test(
  'the Workloads view lists the new Deployment under its namespace and the status bar shows the context',
  { timeout: 240_000 },
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
      await workbench.waitForTreeItem('web', { scope: pane, timeoutMs: 60_000 });

      const labels = await workbench.treeLabels(pane);
      assert.equal(labels[0], ADMIN, `the context is the first row: ${labels.join(', ')}`);
      assert.ok(
        labels.indexOf(namespace) < labels.indexOf('web'),
        `the namespace precedes its workload: ${labels.join(', ')}`,
      );

      // kwok marks the pods ready shortly after they are scheduled; the row follows the watch.
      const description = await waitFor('web to report 2/2 ready', async () => {
        const { description } = await workbench.treeItemText('web', pane);
        return description.includes('2/2') ? description : undefined;
      });
      assert.match(description, /2\/2/);

      const status = await workbench.waitForStatusBar(ADMIN);
      assert.ok(status.includes(ADMIN), `status bar entry: ${status}`);

      const shot = await vscode.screenshot('workloads');
      t.diagnostic(`screenshot: ${shot}`);
    } catch (error) {
      failed = true;
      throw error;
    }
  },
);

test(
  'an OOMKilled workload shows its incident in the tree and the status bar counts it',
  { timeout: 240_000 },
  async (t) => {
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

      const status = await waitFor('the status bar to count the open incidents', async () => {
        const text = await workbench.waitForStatusBar(ADMIN);
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
  },
);

test(
  'the manifest of the OOMKilled workload: squiggle on the memory limit, hover with the cause, quick fix',
  { timeout: 240_000 },
  async (t) => {
    assert.ok(vscode, 'VS Code started');
    const { workbench } = vscode;
    const page = workbench.page;
    try {
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      await input.fill('checkout.yaml');
      await page
        .locator('.quick-input-widget .quick-input-list .monaco-list-row')
        .first()
        .waitFor({ state: 'visible', timeout: 15_000 });
      await page.keyboard.press('Enter');
      const editor = page.locator('.editor-instance .monaco-editor').first();
      await editor.waitFor({ state: 'visible', timeout: 30_000 });

      // The squiggle sits on the line of the memory limit, not on kind: or elsewhere.
      const limitLine = editor.locator('.view-line', { hasText: 'memory: 128Mi' }).first();
      await limitLine.waitFor({ state: 'visible', timeout: 30_000 });
      const squiggle = editor.locator('.squiggly-error').first();
      await squiggle.waitFor({ state: 'attached', timeout: 120_000 });
      const [lineBox, squiggleBox] = await Promise.all([limitLine.boundingBox(), squiggle.boundingBox()]);
      assert.ok(lineBox && squiggleBox, 'both are rendered');
      assert.ok(
        Math.abs(lineBox.y - squiggleBox.y) < lineBox.height,
        `squiggle at y=${squiggleBox.y}, memory limit line at y=${lineBox.y}`,
      );

      // The hover explains the cause.
      await page.mouse.move(squiggleBox.x + squiggleBox.width / 2, squiggleBox.y + squiggleBox.height / 2);
      const hover = page.locator('.monaco-hover').filter({ hasText: 'OOMKilled' }).first();
      await hover.waitFor({ state: 'visible', timeout: 30_000 });
      const hoverText = await hover.innerText();
      assert.match(hoverText, /memory limit 128Mi/i, hoverText);
      await vscode.screenshot('diagnose-hover');
      await page.keyboard.press('Escape');

      // The quick fix edits the manifest to the suggested value. CodeLenses may have shifted the
      // lines since the squiggle was measured, so the value is looked up again.
      await editor.locator('.view-line', { hasText: 'memory: 128Mi' }).first().getByText('128Mi').click();
      await page.keyboard.press('Control+.');
      const fix = page
        .locator('.action-widget .monaco-list-row, .context-view .action-item')
        .filter({ hasText: /memory limit/i })
        .first();
      await fix.waitFor({ state: 'visible', timeout: 15_000 });
      await fix.click();
      const fixed = await waitFor(
        'the memory limit to change',
        async () => {
          const text = (await editor.locator('.view-lines').innerText()).replace(/\u00a0/g, ' ');
          const m = /memory: (\d+Mi) +# sized for the old cart service/.exec(text);
          return m && m[1] !== '128Mi' ? m[1] : undefined;
        },
        30_000,
      );
      assert.ok(Number.parseInt(fixed!, 10) >= 200, `the new limit ${fixed} covers the 200Mi peak`);
      const shot = await vscode.screenshot('diagnose-quickfix');
      t.diagnostic(`new limit ${fixed}; screenshot: ${shot}`);
    } catch (error) {
      failed = true;
      throw error;
    }
  },
);
