// Evidence from logs in real VS Code: a Deployment whose container crashes after printing a known error
// line (the simulated kubelet writes it, kwok serves it as the previous run's log) gets a diagnostic on
// its manifest; the hover on the implicated line quotes that line, Explain opens the Incidents panel
// whose cause and evidence quote it too, and the incident's tooltip in the tree names that cause. The line carries markup, a command link and an icon,
// which must show as the characters they are. The CLI (`scan`, `scan --json`) is held to the same
// line by test/cluster/logEvidence.test.ts.
// Runs beside other test files: its own namespace; its one incident (a critical CrashLoopBackOff) is of a
// type no other e2e file looks up, none counts incidents exactly, and the notification it may raise in
// their windows is a warning that hides by itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Locator } from 'playwright-core';
import type { V1Deployment } from '@kubernetes/client-node';
import { launchVSCode, type VSCodeSession } from '../harness/vscode/index';
import { editorTab, frameEventually, webviewFrame } from '../harness/vscode/webviews';
import { ADMIN, deleteNamespace, freshNamespace, kubeClients, kubeconfigPath, waitFor } from '../harness/kubeKit';

const namespace = 'e2e-logs';
const INCIDENTS = 'main.incidents';
/** What the crashed run prints before its exit line: an error with markup, a command link and an icon in it. */
const LOG_ERROR =
  'panic: cannot load config <img src=x onerror=alert(1)> see [details](command:nimbusguard.applyFix) $(bug)';
const LOGGED = `previous run of orders logged: "${LOG_ERROR}"`;
/** A placeholder of the LLM masking, which must never reach the user. */
const MASKED = /<(ns|workload|pod|container|node|object|image|host|ip)-\d+>/;

const ORDERS_MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
  namespace: ${namespace}
spec:
  replicas: 1
  selector:
    matchLabels: { app: orders }
  template:
    metadata:
      labels: { app: orders }
      annotations:
        sim.nimbusguard.dev/exit-after: "1"
        sim.nimbusguard.dev/log-error: '${LOG_ERROR}'
    spec:
      containers:
        - name: orders
          image: registry.example/shop/orders:2.3
          command: ["/app/orders", "--config", "/etc/orders/config.yaml"]
          resources:
            requests: { cpu: 50m, memory: 64Mi }
`;

let kube: ReturnType<typeof kubeClients> | undefined;
let workspace = '';
let vscode: VSCodeSession | undefined;
let failed = false;
/** Alerts, confirms and prompts any page or frame raised: markup from the log that ran would show here. */
const dialogs: string[] = [];

before(
  async () => {
    kube = kubeClients(kubeconfigPath);
    await freshNamespace(kube.core, namespace);
    workspace = mkdtempSync(join(tmpdir(), 'nimbusguard-e2e-logs-'));
    writeFileSync(join(workspace, 'orders.yaml'), ORDERS_MANIFEST);
    await kube.apps.createNamespacedDeployment({ namespace, body: parse(ORDERS_MANIFEST) as V1Deployment });
    vscode = await launchVSCode({
      workspace,
      env: { KUBECONFIG: kubeconfigPath },
      // No toast over the hover this test reads.
      settings: { 'nimbusguard.notifications.critical': false },
    });
    vscode.workbench.page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss().catch(() => undefined);
    });
  },
  { timeout: 240_000 },
);

after(
  async () => {
    try {
      await vscode?.close({ name: 'log-evidence', failed });
    } finally {
      if (workspace) rmSync(workspace, { recursive: true, force: true });
      if (kube) await deleteNamespace(kube.core, namespace);
    }
  },
  { timeout: 120_000 },
);

/** Runs a step, keeping a screenshot and logs when it fails. */
async function step(body: () => Promise<void>): Promise<void> {
  assert.ok(vscode, 'VS Code started');
  try {
    await body();
  } catch (error) {
    failed = true;
    throw error;
  }
}

/** Opens orders.yaml with Quick Open; returns its editor. */
async function openManifest(): Promise<Locator> {
  const page = vscode!.workbench.page;
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill('orders.yaml');
  await page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row')
    .first()
    .waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.press('Enter');
  await editorTab(page, 'orders.yaml').first().waitFor({ state: 'visible', timeout: 30_000 });
  const editor = page.locator('.editor-instance .monaco-editor').first();
  await editor.waitFor({ state: 'visible', timeout: 30_000 });
  return editor;
}

test(
  "the hover on the crashing container's command quotes the crashed run's error line, as text",
  { timeout: 360_000 },
  () =>
    step(async () => {
      const { workbench } = vscode!;
      const page = workbench.page;
      // The extension starts with its view (activation stays cheap); then it diagnoses open manifests.
      await workbench.openViewContainer('NimbusGuard');
      await workbench.waitForTreeItem(ADMIN, { scope: await workbench.openViewPane('Workloads'), timeoutMs: 60_000 });
      const editor = await openManifest();
      const commandLine = editor.locator('.view-line', { hasText: 'command: ["/app/orders"' }).first();
      await commandLine.waitFor({ state: 'visible', timeout: 30_000 });
      // The crash loop opens after a few restarts; the monitor reads the previous run's log before it diagnoses.
      const squiggle = editor.locator('.squiggly-error').first();
      await squiggle.waitFor({ state: 'attached', timeout: 240_000 });
      const [lineBox, squiggleBox] = await Promise.all([commandLine.boundingBox(), squiggle.boundingBox()]);
      assert.ok(lineBox && squiggleBox, 'both are rendered');
      assert.ok(
        Math.abs(lineBox.y - squiggleBox.y) < lineBox.height,
        `squiggle at y=${squiggleBox.y}, command line at y=${lineBox.y}`,
      );

      const hover = page.locator('.monaco-hover').filter({ hasText: 'CrashLoopBackOff' }).first();
      const text = await waitFor(
        'the hover to quote the log line',
        async () => {
          // Away and back, so a hover from before the log was read is asked again.
          await page.mouse.move(5, 5);
          const box = await editor.locator('.squiggly-error').first().boundingBox();
          if (!box) return undefined;
          await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
          const shown = await hover.waitFor({ state: 'visible', timeout: 10_000 }).then(
            () => hover.innerText(),
            () => '',
          );
          return shown.includes(LOGGED) ? shown : undefined;
        },
        60_000,
      );
      assert.ok(text.includes(LOG_ERROR), 'the error line, markup and link and icon syntax included, reads as text');
      assert.match(text, /it ended with: .*"exit status 1"/);
      assert.doesNotMatch(text, MASKED, 'names are shown as they are, never as masking placeholders');
      const markdown = hover.locator('.rendered-markdown');
      assert.equal(await markdown.locator('img').count(), 0, 'no image rendered from the log');
      const links = await markdown.locator('a').allInnerTexts();
      assert.deepEqual(
        links.map((l) => l.trim()).filter((l) => l !== ''),
        ['Explain', 'Evidence'],
        "the only links are the hover's own commands, none from the log",
      );
      assert.equal(await markdown.locator('.codicon-bug').count(), 0, 'no icon rendered from the log');
      await vscode!.screenshot('log-evidence-hover');

      // Explain, from the hover: the Incidents panel, focused on this incident.
      await markdown.locator('a', { hasText: 'Explain' }).first().click();
      await editorTab(page, 'Incidents').first().waitFor({ state: 'visible', timeout: 30_000 });
      const title = await frameEventually(
        page,
        INCIDENTS,
        "the orders incident's detail",
        (f) => f.locator('#detail-title').innerText(),
        (t) => t.includes('CrashLoopBackOff') && t.includes(`${namespace}/orders`),
        60_000,
      );
      assert.equal(title, `CrashLoopBackOff: Deployment ${namespace}/orders`);
      const frame = await webviewFrame(page, INCIDENTS);
      // The crash loop is the namespace's only incident: nothing to say it is correlated with.
      assert.doesNotMatch(await frame.locator('#detail-meta').innerText(), /correlated/);
      const timeline = await frameEventually(
        page,
        INCIDENTS,
        'the log line in the evidence timeline',
        (f) => f.locator('#timeline').innerText(),
        (t) => t.includes(LOGGED),
        60_000,
      );
      assert.match(timeline, /LogError/);
      assert.match(timeline, /Pod e2e-logs\/orders-/);
      assert.doesNotMatch(timeline, MASKED);
      assert.ok((await frame.locator('#cause-summary').innerText()).includes(LOG_ERROR), 'the cause quotes it');
      assert.ok(
        (await frame.locator('#cause-explanation').innerText()).includes('The log of the crashed run says why'),
        'the explanation points at the log',
      );
      // Evaluated in the webview's page (a string, as this file is compiled without the DOM library).
      const dom = await frame.evaluate(`({
        images: document.querySelectorAll('img').length,
        links: [...document.querySelectorAll('#detail a')].length,
      })`);
      assert.deepEqual(dom, { images: 0, links: 0 }, 'nothing from the log became markup');
      const entry = frame.locator('#timeline li.kind-log');
      assert.equal(await entry.count(), 1, 'one log entry in the evidence timeline');
      const entryText = await entry.innerText();
      assert.ok(entryText.includes(LOGGED), entryText);
      assert.doesNotMatch(entryText, /×\d/, 'a quoted log line is not "seen N times"');
      await entry.scrollIntoViewIfNeeded();
      await vscode!.screenshot('log-evidence-panel');

      // The incident in the Workloads tree: its tooltip names the cause, log line included, as plain text.
      const pane = await workbench.openViewPane('Workloads');
      await workbench.expandTreeItem(namespace, { scope: pane });
      await workbench.expandTreeItem('orders', { scope: pane });
      // Other namespaces may have crash loops of their own: this one's row describes orders.
      const row = workbench.treeItem('CrashLoopBackOff', pane).filter({ hasText: 'pod of orders' }).first();
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      const tooltip = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'Cause:' }).first();
      const tip = await waitFor(
        'the tree tooltip to name the cause',
        async () => {
          await page.mouse.move(5, 5);
          await row.hover();
          return tooltip.waitFor({ state: 'visible', timeout: 5_000 }).then(
            () => tooltip.innerText(),
            () => undefined,
          );
        },
        30_000,
      );
      assert.ok(tip.includes(`Cause: container orders exited`) && tip.includes(LOG_ERROR), tip);
      await vscode!.screenshot('log-evidence-tree');
      assert.deepEqual(dialogs, [], 'no script from the log ran');
    }),
);
