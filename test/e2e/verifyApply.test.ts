// The act loop in real VS Code: from the squiggled manifest's CodeLens, Verify & Apply opens the
// Verification panel, whose checks run against the real control plane (the shadow pod's timeline
// shows live while the shadow runs, and stays with the verdict); the diff editor compares the
// live object with the dry-run result; Apply asks a modal naming context, namespace, kind and name;
// after the confirmation the memory limit is raised on the cluster and the OOMKilled incident leaves
// the tree; Rollback from "Applied changes" goes through the same panel and puts the old limit back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { V1Deployment } from '@kubernetes/client-node';
import type { Frame, Page } from 'playwright-core';
import { launchVSCode, repoRoot, type VSCodeSession } from '../harness/vscode/index';
import { editorTab, webviewFrame } from '../harness/vscode/webviews';
import { ADMIN, deleteNamespace, freshNamespace, kubeClients, kubeconfigPath, waitFor } from '../harness/kubeKit';

const namespace = 'e2e-verify-apply';
const MANIFEST = `# The checkout service
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

let kube: ReturnType<typeof kubeClients> | undefined;
let workspace = '';
let home = '';
let vscode: VSCodeSession | undefined;
let failed = false;

const memoryLimit = async (): Promise<string | undefined> => {
  const d = await kube!.apps.readNamespacedDeployment({ namespace, name: 'checkout' });
  return d.spec?.template.spec?.containers[0]?.resources?.limits?.['memory'];
};

before(
  async () => {
    const kubeconfig = kubeconfigPath;
    kube = kubeClients(kubeconfig);
    await freshNamespace(kube.core, namespace);
    workspace = mkdtempSync(join(tmpdir(), 'nimbusguard-e2e-act-'));
    home = mkdtempSync(join(tmpdir(), 'nimbusguard-e2e-home-'));
    writeFileSync(join(workspace, 'checkout.yaml'), MANIFEST);
    await kube.apps.createNamespacedDeployment({ namespace, body: parse(MANIFEST) as V1Deployment });
    vscode = await launchVSCode({
      workspace,
      env: { KUBECONFIG: kubeconfig, NIMBUSGUARD_HOME: home },
      // The shadow question is asked (the default): the test answers Run Shadow and follows its timeline.
      settings: { 'nimbusguard.namespaces': [namespace], 'nimbusguard.verify.shadow': 'ask' },
    });
  },
  { timeout: 240_000 },
);

after(
  async () => {
    try {
      await vscode?.close({ name: 'verify-apply', failed });
    } finally {
      for (const dir of [workspace, home]) if (dir) rmSync(dir, { recursive: true, force: true });
      if (kube) await deleteNamespace(kube.core, namespace);
    }
  },
  { timeout: 120_000 },
);

/** The visible Verification panel, once its verdict is shown. */
async function verdictFrame(page: Page, result: RegExp, title = '#phase', timeoutMs = 120_000): Promise<Frame> {
  const frame = await webviewFrame(page, title, 60_000);
  await frame.locator('#verdict h2').filter({ hasText: result }).waitFor({ state: 'visible', timeout: timeoutMs });
  return frame;
}

/** Confirms the modal whose text names the target, and returns that text. */
async function confirmModal(page: Page, button: string): Promise<string> {
  const dialog = page.locator('.monaco-dialog-box').first();
  await dialog.waitFor({ state: 'visible', timeout: 30_000 });
  const text = await dialog.innerText();
  await dialog
    .locator('.monaco-button', { hasText: new RegExp(`^${button}$`) })
    .first()
    .click();
  return text;
}

test(
  'Verify & Apply from the CodeLens raises the limit after the modal, and Rollback puts it back',
  { timeout: 600_000 },
  async (t) => {
    assert.ok(vscode && kube, 'VS Code and the cluster are up');
    const { workbench } = vscode;
    const page = workbench.page;
    try {
      await workbench.openViewContainer('NimbusGuard');
      const pane = await workbench.openViewPane('Workloads');
      await workbench.waitForTreeItem('checkout', { scope: pane, timeoutMs: 90_000 });
      await workbench.expandTreeItem('checkout', { scope: pane });
      await workbench.waitForTreeItem('OOMKilled', { scope: pane, timeoutMs: 120_000 });

      // The manifest: its squiggle and, above the workload, the Verify & Apply CodeLens.
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
      await editor.locator('.squiggly-error').first().waitFor({ state: 'attached', timeout: 120_000 });
      const lens = editor.locator('.codelens-decoration a', { hasText: 'Verify & Apply…' }).first();
      await lens.waitFor({ state: 'visible', timeout: 60_000 });
      await lens.click();

      // The shadow question, then the shadow pod's timeline, live while the check still runs.
      const question = await confirmModal(page, 'Run Shadow');
      assert.match(question, /shadow pod of Deployment e2e-verify-apply\/checkout/);
      const live = await webviewFrame(page, '#phase', 60_000);
      await live.locator('#shadow-timeline li[data-step="ready"]').waitFor({ state: 'visible', timeout: 90_000 });
      assert.match(await live.locator('#phase').innerText(), /Verifying/, 'Ready is shown while the shadow runs');
      assert.match(await live.locator('li.check[data-check="shadow"]').innerText(), /Shadow pod \(live\)/);
      await vscode.screenshot('verify-shadow-live');

      // The Verification panel: the change, each check with its result, the verdict.
      let frame = await verdictFrame(page, /Verdict: pass/);
      const diff = await frame.locator('#diff').innerText();
      assert.match(diff, /resources\.limits\.memory/, diff);
      assert.match(diff, /128Mi/, diff);
      const checks = await frame
        .locator('#checks li.check')
        .evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-check')}=${r.className.replace('check ', '')}`));
      t.diagnostic(`checks: ${checks.join(', ')}`);
      for (const name of ['permissions', 'dryRun', 'ownership'])
        assert.ok(checks.includes(`${name}=pass`), `${name} passed: ${checks.join(', ')}`);
      assert.ok(checks.includes('shadow=pass'), `the shadow passed: ${checks.join(', ')}`);
      const timelineSteps = async (f: Frame) =>
        f.locator('#shadow-timeline li').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-step')));
      const kept = await timelineSteps(frame);
      assert.deepEqual(
        kept.filter((s) => ['created', 'scheduled', 'started', 'ready', 'removed'].includes(s ?? '')),
        ['created', 'scheduled', 'started', 'ready', 'removed'],
        `the verdict keeps the shadow timeline: ${kept.join(', ')}`,
      );
      assert.equal(await memoryLimit(), '128Mi', 'verification wrote nothing');
      await frame.locator('#verdict').scrollIntoViewIfNeeded();
      const shot = await vscode.screenshot('verify-apply');
      const media = join(repoRoot(), 'media', 'screenshots');
      mkdirSync(media, { recursive: true });
      copyFileSync(shot, join(media, 'verify-apply.png'));

      // The approval waits in the graph's checkpoint: after a window reload the panel comes back
      // showing the same verdict, and the tree lists it as waiting — nothing is verified again.
      await workbench.runCommand('Developer: Reload Window');
      await page.waitForLoadState('domcontentloaded');
      await workbench.waitReady(90_000);
      frame = await verdictFrame(page, /Verdict: pass/);
      assert.match(await frame.locator('#phase').innerText(), /^Verified$/);
      assert.deepEqual(await timelineSteps(frame), kept, 'the restored panel shows the same shadow timeline');
      const reloaded = await workbench.openViewPane('Workloads');
      await workbench.waitForTreeItem('Applied changes', { scope: reloaded, timeoutMs: 60_000 });
      assert.match((await workbench.treeItemText('Applied changes', reloaded)).description, /1 waiting for approval/);
      await workbench.waitForTreeItem('OOMKilled', { scope: reloaded, timeoutMs: 120_000 });
      assert.equal(await memoryLimit(), '128Mi', 'the reload wrote nothing');

      // The diff editor: live object vs the dry-run result, read-only.
      await frame.locator('#open-diff').click();
      const diffEditor = page.locator('.monaco-diff-editor').first();
      await diffEditor.waitFor({ state: 'visible', timeout: 30_000 });
      const diffText = await diffEditor.innerText();
      assert.doesNotMatch(diffText, /managedFields/, 'managedFields are stripped');
      await vscode.screenshot('verify-apply-diff');
      await editorTab(page, 'Verify: checkout').first().click();

      // Apply: the modal names context, namespace, kind and name; then the 5-second hold.
      frame = await verdictFrame(page, /Verdict: pass/);
      await frame.locator('#apply').click();
      const modal = await confirmModal(page, 'Apply');
      for (const part of [`Context: ${ADMIN}`, `Namespace: ${namespace}`, 'Kind: Deployment', 'Name: checkout'])
        assert.ok(modal.includes(part), `the modal names ${part}: ${modal}`);
      assert.equal(await memoryLimit(), '128Mi', 'nothing is written before the hold ends');
      const raised = await waitFor(
        'the memory limit to be raised on the cluster',
        async () => {
          const limit = await memoryLimit();
          return limit && limit !== '128Mi' ? limit : undefined;
        },
        60_000,
      );
      assert.ok(Number.parseInt(raised, 10) >= 200, `the new limit ${raised} covers the 200Mi peak`);

      // The incident leaves the tree; the change is listed under Applied changes.
      const afterApply = await workbench.openViewPane('Workloads');
      await waitFor(
        'the OOMKilled incident to leave the tree',
        async () => ((await workbench.treeItem('OOMKilled', afterApply).count()) === 0 ? true : undefined),
        240_000,
      );
      frame = await webviewFrame(page, '#change', 60_000);
      await frame
        .locator('#outcome')
        .filter({ hasText: /status: applied/ })
        .waitFor({ timeout: 60_000 });
      await vscode.screenshot('verify-apply-applied');

      // The Incidents panel's Applied changes tab lists it with its status.
      await workbench.runCommand('NimbusGuard: Show Incidents Panel');
      const incidents = await webviewFrame(page, '#tab-changes', 60_000);
      await incidents.locator('#tab-changes').click();
      await incidents
        .locator('#changes-rows tr', { hasText: /memory limit/i })
        .filter({ hasText: 'applied' })
        .first()
        .waitFor({ state: 'visible', timeout: 30_000 });
      assert.ok(
        await incidents.locator('#changes-rows button', { hasText: 'Rollback…' }).first().isVisible(),
        'the tab offers Rollback',
      );

      const tree = await workbench.openViewPane('Workloads');
      await workbench.waitForTreeItem('Applied changes', { scope: tree, timeoutMs: 30_000 });
      await workbench.expandTreeItem('Applied changes', { scope: tree });
      const row = tree
        .locator('.monaco-list-row', { hasText: /memory limit/i })
        .filter({ hasText: /applied/ })
        .first();
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      assert.match(
        await row.innerText(),
        /cluster only/,
        'the change is in the cluster only: the manifest still says 128Mi',
      );
      // The manifest edited to hold the change: the marker clears.
      writeFileSync(
        join(workspace, 'checkout.yaml'),
        MANIFEST.replace('memory: 128Mi   # sized for the old cart service', `memory: ${raised}`),
      );
      await waitFor(
        'the "cluster only" marker to clear once the manifest holds the change',
        async () => (/cluster only/.test(await row.innerText()) ? undefined : true),
        60_000,
      );
      await row.hover();
      await row.locator('.action-label[aria-label*="Roll Back"]').first().click();

      // Rollback: the same panel, checks and modal; the old value is back on the cluster.
      frame = await verdictFrame(page, /Verdict: pass/, 'h1:has-text("Roll back")');
      assert.match(await frame.locator('#diff').innerText(), /128Mi/, 'the rollback restores the before-image');
      await frame.locator('#apply').click();
      await confirmModal(page, 'Roll Back');
      await waitFor(
        'the memory limit to be 128Mi again',
        async () => ((await memoryLimit()) === '128Mi' ? true : undefined),
        60_000,
      );
      await vscode.screenshot('verify-apply-rolled-back');
    } catch (error) {
      failed = true;
      throw error;
    }
  },
);
