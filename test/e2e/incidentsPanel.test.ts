// The Incidents and Scaling panels in real VS Code against the local cluster: the status bar opens the
// Incidents panel, which filters, sorts, shows an incident's root cause, evidence timeline and signal,
// runs its actions, renders hostile cluster text as text, and comes back after a window reload (as
// does the Scaling panel); a restored panel whose object is gone says so and closes on request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Frame } from 'playwright-core';
import type { V1Deployment } from '@kubernetes/client-node';
import { launchVSCode, type VSCodeSession } from '../harness/vscode/index';
import { editorTab, frameEventually, webviewFrame } from '../harness/vscode/webviews';
import {
  ADMIN,
  deleteNamespace,
  deployment,
  freshNamespace,
  kubeClients,
  kubeconfigPath,
  waitFor,
} from '../harness/kubeKit';

const namespace = 'e2e-incidents';
const INCIDENTS = 'main.incidents';
const SCALING = '#refresh';
/** Markup and script from the cluster: must show as text, never run or render. */
const HOSTILE = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold</b>`;
const HOSTILE_IMAGE = 'unreachable.invalid/<img/src=x/onerror=window.__pwned=3>:1';

const CHECKOUT_MANIFEST = `apiVersion: apps/v1
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
              memory: 128Mi
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
    workspace = mkdtempSync(join(tmpdir(), 'nimbusguard-e2e-panels-'));
    writeFileSync(join(workspace, 'checkout.yaml'), CHECKOUT_MANIFEST);
    await kube.apps.createNamespacedDeployment({ namespace, body: parse(CHECKOUT_MANIFEST) as V1Deployment });
    await kube.apps.createNamespacedDeployment({
      namespace,
      body: deployment('payments', {
        namespace,
        container: 'payments',
        image: 'unreachable.invalid/payments:1.4',
        replicas: 1,
        requests: { cpu: '50m', memory: '64Mi' },
        memoryLimit: null,
      }),
    });
    const hostile = deployment('hostile', {
      namespace,
      container: 'hostile',
      image: HOSTILE_IMAGE,
      replicas: 1,
      requests: { cpu: '50m', memory: '64Mi' },
      memoryLimit: null,
    });
    hostile.metadata!.annotations = { 'kubernetes.io/change-cause': HOSTILE, 'nimbusguard.dev/note': HOSTILE };
    await kube.apps.createNamespacedDeployment({ namespace, body: hostile });
    vscode = await launchVSCode({ workspace, env: { KUBECONFIG: kubeconfig } });
  },
  { timeout: 240_000 },
);

after(
  async () => {
    try {
      await vscode?.close({ name: 'incidents-panel', failed });
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

/** The Incidents panel's page, bringing its tab to the front first. */
async function panel(): Promise<Frame> {
  const page = vscode!.workbench.page;
  await editorTab(page, 'Incidents').first().click();
  return webviewFrame(page, INCIDENTS, 30_000);
}

/** Texts of the rendered table rows (type and workload cells). */
async function rowTexts(frame: Frame): Promise<string[]> {
  return frame
    .locator('#viewport .row:not([hidden]):not(.group)')
    .evaluateAll((rows) => rows.map((r) => (r.textContent ?? '').replace(/\s+/g, ' ')));
}

async function selectRow(frame: Frame, search: string, type: string): Promise<void> {
  await frame.fill('#search', search);
  // By its type cell: other incidents may name the type in their summary.
  // The row must name what was searched for too: until the search applies, another workload's row of
  // the same type may still be first.
  const row = frame
    .locator('#viewport .row:not([hidden]):not(.group)')
    .filter({ hasText: search })
    .filter({ has: frame.locator('.col-type', { hasText: new RegExp(`^${type}$`) }) })
    .first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await row.click();
  await frame
    .locator('#detail-title')
    .filter({ hasText: type })
    .filter({ hasText: search })
    .waitFor({ state: 'visible', timeout: 30_000 });
}

async function runCommand(title: string): Promise<void> {
  await vscode!.workbench.runCommand(title);
}

async function showScaling(name: string): Promise<void> {
  const page = vscode!.workbench.page;
  const input = page.locator('.quick-input-widget .quick-input-box input');
  // Right after a webview had focus, the workbench can leave the picker's input hidden: close it and ask again.
  for (let attempt = 1; ; attempt++) {
    await runCommand('NimbusGuard: Show Scaling Proposal');
    const shown = await input.waitFor({ state: 'visible', timeout: 15_000 }).then(
      () => true,
      () => false,
    );
    if (shown) break;
    if (attempt === 3) throw new Error('the workload picker of Show Scaling Proposal never showed its input');
    await page.keyboard.press('Escape');
  }
  await input.fill(name);
  await page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row')
    .filter({ hasText: name })
    .first()
    .click();
  await editorTab(page, `Scaling: ${name}`).first().waitFor({ state: 'visible', timeout: 15_000 });
}

async function reloadWindow(): Promise<void> {
  const { workbench } = vscode!;
  await runCommand('Developer: Reload Window');
  await workbench.page.waitForLoadState('domcontentloaded');
  await workbench.waitReady(90_000);
}

test("the status bar opens the Incidents panel, listing the context's incidents", { timeout: 300_000 }, () =>
  step(async () => {
    const { workbench } = vscode!;
    await workbench.openViewContainer('NimbusGuard');
    const pane = await workbench.openViewPane('Workloads');
    await workbench.waitForTreeItem(ADMIN, { scope: pane, timeoutMs: 60_000 });
    await waitFor(
      'the status bar to count three open incidents',
      async () => {
        const text = await workbench.waitForStatusBar(ADMIN);
        const count = /nimbusguard-admin\D+(\d+)/.exec(text);
        return count && Number(count[1]) >= 3 ? text : undefined;
      },
      150_000,
    );
    await workbench.page.locator('.part.statusbar .statusbar-item').filter({ hasText: ADMIN }).first().click();
    await editorTab(workbench.page, 'Incidents').first().waitFor({ state: 'visible', timeout: 30_000 });
    const rows = await frameEventually(
      workbench.page,
      INCIDENTS,
      "the table to list the three workloads' incidents",
      async (f) => rowTexts(f),
      (texts) =>
        ['OOMKilled', 'ImagePullBackOff'].every((t) => texts.some((r) => r.includes(t))) &&
        texts.some((r) => r.includes('hostile')),
      150_000,
    );
    assert.ok(
      rows.some((r) => r.includes('checkout') && r.includes(namespace)),
      rows.join('\n'),
    );

    // Keyboard: the grid takes focus and the arrow keys move the active row.
    const frame = await panel();
    await frame.locator('#grid').focus();
    await workbench.page.keyboard.press('Home');
    assert.equal(await frame.locator('#grid').getAttribute('aria-activedescendant'), 'row-0');
    await workbench.page.keyboard.press('ArrowDown');
    assert.equal(await frame.locator('#grid').getAttribute('aria-activedescendant'), 'row-1');
    assert.equal(await frame.locator('#search').getAttribute('aria-label'), 'Search incidents');
    await vscode!.screenshot('incidents-panel');
  }),
);

test('filtering by text, severity and type, and sorting by a column', { timeout: 120_000 }, () =>
  step(async () => {
    const frame = await panel();
    await frame.fill('#search', 'checkout');
    await waitFor(
      'only checkout rows',
      async () => {
        const texts = await rowTexts(frame);
        return texts.length > 0 && texts.every((t) => t.includes('checkout')) ? texts : undefined;
      },
      10_000,
    );
    assert.match(await frame.locator('#count').innerText(), /of \d+ incidents shown/);
    await frame.fill('#search', '');
    await frame.selectOption('#filter-type', 'ImagePullBackOff');
    const pulls = await rowTexts(frame);
    assert.ok(pulls.length >= 2 && pulls.every((t) => t.includes('ImagePullBackOff')), pulls.join('\n'));
    await frame.selectOption('#filter-severity', 'info');
    assert.equal((await rowTexts(frame)).length, 0);
    assert.ok(await frame.locator('#empty').isVisible(), 'an empty result says so');
    await frame.selectOption('#filter-severity', '');
    await frame.selectOption('#filter-type', '');
    await frame.selectOption('#filter-namespace', namespace);
    await frame.locator('button.sort[data-col="workload"]').click();
    const header = frame.locator('[role=columnheader][data-col="workload"]');
    assert.equal(await header.getAttribute('aria-sort'), 'ascending');
    await frame.locator('button.sort[data-col="workload"]').click();
    assert.equal(await header.getAttribute('aria-sort'), 'descending');
    // Top-level rows (incidents and group rows) follow the order; members sit under their group.
    const names = (await frame.locator('#viewport .row:not([hidden]):not(.member) .col-workload').allInnerTexts()).map(
      (t) => t.split(' · ')[0] ?? '',
    );
    assert.deepEqual(names, [...names].sort().reverse(), `sorted by workload, descending: ${names.join(', ')}`);
    await vscode!.screenshot('incidents-filtered');
  }),
);

test('selecting an incident shows its root cause, evidence timeline and signal chart', { timeout: 240_000 }, () =>
  step(async () => {
    const frame = await panel();
    await selectRow(frame, 'checkout', 'OOMKilled');
    assert.match(await frame.locator('#detail-title').innerText(), /OOMKilled: Deployment e2e-incidents\/checkout/);
    await frame
      .locator('#cause-summary')
      .filter({ hasText: /memory limit/i })
      .waitFor({ timeout: 60_000 });
    assert.match(await frame.locator('#cause-meta').innerText(), /Confidence \d+ %/);
    assert.match(await frame.locator('#cause-fields').innerText(), /resources\.limits\.memory/);
    assert.ok((await frame.locator('#timeline li').count()) > 0, 'the evidence chain has entries');
    // The act loop supplies the fix as a proposal to verify and apply (only proposals the host offers are drawn).
    const proposal = await frameEventually(
      vscode!.workbench.page,
      INCIDENTS,
      'the proposed fix',
      async (f) =>
        (await f.locator('#proposals').isVisible()) ? f.locator('#proposal-list li').first().innerText() : '',
      (t) => t.length > 0,
      60_000,
    );
    assert.match(proposal, /memory limit/i);
    assert.match(proposal, /Verify & Apply/);
    assert.match(
      (await (await panel()).locator('#proposal-list button').first().getAttribute('aria-label')) ?? '',
      /^Verify and apply: .*memory limit/i,
    );
    // Memory use when metrics.k8s.io caught the container running, else its restarts (sampled every 15 s).
    const summary = await frameEventually(
      vscode!.workbench.page,
      INCIDENTS,
      'the signal chart',
      async (f) => ((await f.locator('#signal').isVisible()) ? f.locator('#chart-summary').innerText() : ''),
      (t) => t.length > 0,
      150_000,
    );
    assert.match(summary, /^(Memory use against the limit, .* Memory limit: 128 MiB\.|Container restarts, .*)$/);
    assert.match((await (await panel()).locator('#chart').getAttribute('aria-label')) ?? '', /^Line chart: /);
    await vscode!.screenshot('incidents-detail');
  }),
);

test('the actions: Explain, Reveal Manifest and Open Live YAML', { timeout: 180_000 }, () =>
  step(async () => {
    const page = vscode!.workbench.page;
    let frame = await panel();
    await frame.locator('button[data-action="explain"]').click();
    await frame
      .locator('#notice')
      .filter({ hasText: /rule engine/ })
      .waitFor({ timeout: 15_000 });

    await frame.locator('button[data-action="revealManifest"]').click();
    await editorTab(page, 'checkout.yaml').first().waitFor({ state: 'visible', timeout: 30_000 });
    await page
      .locator('.editor-instance .view-line', { hasText: 'kind: Deployment' })
      .first()
      .waitFor({ state: 'visible', timeout: 30_000 });

    // Back to the panel: hidden webviews are not kept, so this also shows that the selection survives.
    await editorTab(page, 'Incidents').first().click();
    frame = await panel();
    await frame.locator('#detail-title').filter({ hasText: 'checkout' }).waitFor({ timeout: 30_000 });
    await frame.locator('button[data-action="openYaml"]').click();
    await page
      .locator('.editor-instance .view-line', { hasText: 'resourceVersion' })
      .first()
      .waitFor({ state: 'visible', timeout: 30_000 });
    await editorTab(page, 'Incidents').first().click();
  }),
);

test(
  'hostile text from the cluster (event messages, image names, annotations) shows as text',
  { timeout: 180_000 },
  () =>
    step(async () => {
      const { core } = kube!;
      const pods = await core.listNamespacedPod({ namespace, labelSelector: 'app=hostile' });
      const pod = pods.items[0]!;
      const now = new Date();
      // Newer than anything the simulated kubelet reports, so it is the event the detector keeps.
      const later = new Date(now.getTime() + 10 * 60_000);
      await core.createNamespacedEvent({
        namespace,
        body: {
          metadata: { name: `hostile.${Date.now()}`, namespace },
          involvedObject: { kind: 'Pod', name: pod.metadata!.name!, namespace, uid: pod.metadata!.uid! },
          reason: 'Failed',
          message: `Failed to pull image: ${HOSTILE}`,
          type: 'Warning',
          count: 7,
          firstTimestamp: now,
          lastTimestamp: later,
          source: { component: 'kubelet' },
        },
      });
      const frame = await panel();
      await selectRow(frame, 'hostile', 'ImagePullBackOff');
      const timeline = await frameEventually(
        vscode!.workbench.page,
        INCIDENTS,
        'the injected event in the timeline',
        (f) => f.locator('#timeline').innerText(),
        (t) => t.includes('<script>window.__pwned=2</script>'),
        90_000,
      );
      assert.ok(timeline.includes('<img src=x onerror="window.__pwned=1">'), timeline);
      assert.ok(
        (await frame.locator('#detail').innerText()).includes('<img/src=x/onerror=window.__pwned=3>'),
        'the hostile image name shows as text',
      );
      // Evaluated in the webview's page (a string, as this file is compiled without the DOM library).
      const dom = await frame.evaluate(`({
    pwned: typeof window.__pwned,
    images: document.querySelectorAll('img').length,
    scripts: document.querySelectorAll('main script').length,
    pwnedScripts: [...document.scripts].filter((s) => s.textContent.includes('__pwned')).length,
    bold: document.querySelectorAll('#detail b, #viewport b').length,
  })`);
      assert.deepEqual(
        dom,
        { pwned: 'undefined', images: 0, scripts: 0, pwnedScripts: 0, bold: 0 },
        'nothing from the cluster became markup or ran',
      );
      await vscode!.screenshot('incidents-hostile');
      await frame.fill('#search', '');
    }),
);

test(
  'after a window reload the Incidents and Scaling panels come back showing the same objects',
  { timeout: 300_000 },
  () =>
    step(async () => {
      const page = vscode!.workbench.page;
      const frame = await panel();
      await selectRow(frame, 'checkout', 'OOMKilled');
      await showScaling('checkout');
      await webviewFrame(page, SCALING, 30_000);
      await reloadWindow();

      await editorTab(page, 'Scaling: checkout').first().waitFor({ state: 'visible', timeout: 90_000 });
      const title = await frameEventually(
        page,
        SCALING,
        'the restored Scaling panel',
        (f) => f.locator('#title').innerText(),
        (t) => t.includes('checkout'),
        90_000,
      );
      assert.equal(title, `Deployment ${namespace}/checkout`);
      await vscode!.screenshot('scaling-restored');

      await editorTab(page, 'Incidents').first().click();
      const restored = await frameEventually(
        page,
        INCIDENTS,
        'the restored Incidents panel with its selection',
        (f) =>
          f
            .locator('#detail-title')
            .innerText()
            .catch(() => ''),
        (t) => t.includes('checkout'),
        120_000,
      );
      assert.match(restored, /OOMKilled: Deployment e2e-incidents\/checkout/);
      await vscode!.screenshot('incidents-restored');
    }),
);

test('a restored panel whose object is gone says so and offers Close', { timeout: 300_000 }, () =>
  step(async () => {
    const page = vscode!.workbench.page;
    const frame = await panel();
    await selectRow(frame, 'payments', 'ImagePullBackOff');
    await showScaling('payments');
    await kube!.apps.deleteNamespacedDeployment({ name: 'payments', namespace });
    await waitFor(
      'payments and its pods to be deleted',
      async () => {
        const gone = await kube!.apps.readNamespacedDeployment({ name: 'payments', namespace }).then(
          () => false,
          () => true,
        );
        const pods = await kube!.core.listNamespacedPod({ namespace, labelSelector: 'app=payments' });
        return gone && pods.items.length === 0 ? true : undefined;
      },
      90_000,
    );
    await reloadWindow();

    await editorTab(page, 'Scaling: payments').first().waitFor({ state: 'visible', timeout: 90_000 });
    const scaling = await frameEventually(
      page,
      SCALING,
      'the Scaling panel to say the workload is gone',
      (f) =>
        f
          .locator('#notes')
          .innerText()
          .catch(() => ''),
      (t) => /not in context/.test(t),
      90_000,
    );
    assert.match(scaling, /Deployment e2e-incidents\/payments is not in context nimbusguard-admin/);
    (await webviewFrame(page, SCALING)).locator('#close').click();
    await editorTab(page, 'Scaling: payments').first().waitFor({ state: 'detached', timeout: 15_000 });

    await editorTab(page, 'Incidents').first().click();
    const missing = await frameEventually(
      page,
      INCIDENTS,
      'the Incidents panel to say the incident is gone',
      (f) =>
        f
          .locator('#missing-text')
          .innerText()
          .catch(() => ''),
      (t) => t.length > 0,
      120_000,
    );
    assert.match(missing, /not tracked in context nimbusguard-admin/);
    await vscode!.screenshot('incidents-missing');
    await (await panel()).locator('#close').click();
    await editorTab(page, 'Incidents').first().waitFor({ state: 'detached', timeout: 15_000 });
  }),
);
