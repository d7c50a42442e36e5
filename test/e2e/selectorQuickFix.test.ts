// A Service whose selector has a typo in app.kubernetes.io/name (the most common label key, with
// dots and a slash), seen in real VS Code: the diagnostic sits on that key's line of the manifest
// and the quick fix rewrites that one value, without adding a nested key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { V1Deployment, V1Service } from '@kubernetes/client-node';
import { launchVSCode, type VSCodeSession } from '../harness/vscode/index';
import { deleteNamespace, freshNamespace, kubeClients, kubeconfigPath, waitFor } from '../harness/kubeKit';

const namespace = 'e2e-selector';
const MANIFEST = `# The storefront and its Service
apiVersion: apps/v1
kind: Deployment
metadata:
  name: storefront
  namespace: ${namespace}
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: storefront
  template:
    metadata:
      labels:
        app.kubernetes.io/name: storefront
        tier: web
    spec:
      containers:
        - name: storefront
          image: registry.example/storefront:1.0
          resources:
            requests: { cpu: 50m, memory: 64Mi }
---
apiVersion: v1
kind: Service
metadata:
  name: storefront
  namespace: ${namespace}
spec:
  selector:
    app.kubernetes.io/name: store-front   # renamed in the chart
    tier: web
  ports:
    - port: 80
      targetPort: 8080
`;
let kube: ReturnType<typeof kubeClients> | undefined;
let workspace = '';
let vscode: VSCodeSession | undefined;
let failed = false;

before(
  async () => {
    const kubeconfig = kubeconfigPath;
    kube = kubeClients(kubeconfig);
    await freshNamespace(kube.core, namespace);
    const [deployment, service] = parseAllDocuments(MANIFEST).map((d) => d.toJS());
    await kube.apps.createNamespacedDeployment({ namespace, body: deployment as V1Deployment });
    await kube.core.createNamespacedService({ namespace, body: service as V1Service });
    workspace = mkdtempSync(join(tmpdir(), 'nimbusguard-e2e-selector-'));
    writeFileSync(join(workspace, 'storefront.yaml'), MANIFEST);
    vscode = await launchVSCode({ workspace, env: { KUBECONFIG: kubeconfig } });
  },
  { timeout: 240_000 },
);

after(
  async () => {
    try {
      await vscode?.close({ name: 'selector-quickfix', failed });
    } finally {
      if (workspace) rmSync(workspace, { recursive: true, force: true });
      if (kube) await deleteNamespace(kube.core, namespace);
    }
  },
  { timeout: 120_000 },
);

test(
  'the selector typo on app.kubernetes.io/name: diagnostic on that line, quick fix rewrites that one key',
  { timeout: 300_000 },
  async (t) => {
    assert.ok(vscode, 'VS Code started');
    const { workbench } = vscode;
    const page = workbench.page;
    try {
      await workbench.openViewContainer('NimbusGuard');
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      await input.fill('storefront.yaml');
      await page
        .locator('.quick-input-widget .quick-input-list .monaco-list-row')
        .first()
        .waitFor({ state: 'visible', timeout: 15_000 });
      await page.keyboard.press('Enter');
      const editor = page.locator('.editor-instance .monaco-editor').first();
      await editor.waitFor({ state: 'visible', timeout: 30_000 });

      // The squiggle sits on the selector's app.kubernetes.io/name line, not on `selector:` or `kind:`.
      const keyLine = editor.locator('.view-line', { hasText: 'app.kubernetes.io/name: store-front' }).first();
      await keyLine.waitFor({ state: 'visible', timeout: 30_000 });
      const squiggle = editor.locator('.squiggly-error, .squiggly-warning').first();
      await squiggle.waitFor({ state: 'attached', timeout: 200_000 });
      const [lineBox, squiggleBox] = await Promise.all([keyLine.boundingBox(), squiggle.boundingBox()]);
      assert.ok(lineBox && squiggleBox, 'both are rendered');
      assert.ok(
        Math.abs(lineBox.y - squiggleBox.y) < lineBox.height,
        `squiggle at y=${squiggleBox.y}, selector key line at y=${lineBox.y}`,
      );
      await vscode.screenshot('selector-squiggle');

      // The quick fix sets the value the pods carry, on the same key. The CodeLens above the Service
      // can still shift the lines when the menu is asked for, so asking is retried.
      const fix = page
        .locator('.action-widget .monaco-list-row, .context-view .action-item')
        .filter({ hasText: /selector/i })
        .first();
      await waitFor(
        'the quick fix menu to offer the selector fix',
        async () => {
          await page.keyboard.press('Escape');
          await editor
            .locator('.view-line', { hasText: 'app.kubernetes.io/name: store-front' })
            .first()
            .getByText('store-front')
            .click();
          await page.keyboard.press('Control+.');
          return (await fix.waitFor({ state: 'visible', timeout: 5_000 }).then(
            () => true,
            () => false,
          ))
            ? true
            : undefined;
        },
        45_000,
      );
      await fix.click();
      await editor
        .locator('.view-line', { hasText: 'app.kubernetes.io/name: storefront' })
        .filter({ hasText: 'renamed in the chart' })
        .first()
        .waitFor({ state: 'visible', timeout: 30_000 });
      // Saved, the file differs from the manifest in that one value, and its selector is what the pods carry.
      await page.keyboard.press('Control+S');
      const saved = await waitFor(
        'the edited manifest to be saved',
        async () => {
          const text = readFileSync(join(workspace, 'storefront.yaml'), 'utf8');
          // A save truncates then writes: wait for the whole new text, not an empty file.
          return text.includes('storefront   # renamed') ? text : undefined;
        },
        30_000,
      );
      assert.equal(
        saved,
        MANIFEST.replace('app.kubernetes.io/name: store-front   #', 'app.kubernetes.io/name: storefront   #'),
      );
      const service = parseAllDocuments(saved)[1]!.toJS() as V1Service;
      assert.deepEqual(service.spec?.selector, { 'app.kubernetes.io/name': 'storefront', tier: 'web' });
      const shot = await vscode.screenshot('selector-quickfix');
      t.diagnostic(`screenshot: ${shot}`);
    } catch (error) {
      failed = true;
      throw error;
    }
  },
);
