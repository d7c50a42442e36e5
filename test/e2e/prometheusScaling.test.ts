// Prometheus demand and a scaling policy in real VS Code: with nimbusguard.prometheus.url set to the
// harness's Prometheus, the tree names the policy governing a workload and the Scaling panel shows
// the request rate from Prometheus, its source and the capacity from the policy's threshold.
// Runs beside other test files: its own namespace, a healthy workload that opens no incident, tree labels
// no other e2e file looks up (the tree shows every namespace), and CRDs no other e2e file uses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import * as k8s from '@kubernetes/client-node';
import { launchVSCode, repoRoot, type VSCodeSession } from '../harness/vscode/index';
import { webviewFrame } from '../harness/vscode/webviews';
import {
  clusterDir,
  deleteNamespace,
  deployment,
  freshNamespace,
  kubeClients,
  kubeconfigPath,
  waitFor,
} from '../harness/kubeKit';

const namespace = 'e2e-prometheus';
const CRDS = ['intelligentscalings.nimbusguard.io', 'scalingpolicies.nimbusguard.io'];
let kubeconfig = '';
let kube: ReturnType<typeof kubeClients> | undefined;
let workspace = '';
let vscode: VSCodeSession | undefined;
let failed = false;

function prometheusUrl(): string {
  const env = readFileSync(join(clusterDir, 'ports.env'), 'utf8');
  const port = /^PROMETHEUS_PORT=(\d+)$/m.exec(env)?.[1];
  if (!port) throw new Error('ports.env names no PROMETHEUS_PORT: restart the cluster with up.sh');
  return `http://127.0.0.1:${port}`;
}

before(
  async () => {
    kubeconfig = kubeconfigPath;
    kube = kubeClients(kubeconfig);
    const crds = kube.kc.makeApiClient(k8s.ApiextensionsV1Api);
    for (const file of ['intelligentscalings.nimbusguard.io.yaml', 'scalingpolicies.nimbusguard.io.yaml']) {
      await crds
        .createCustomResourceDefinition({ body: parse(readFileSync(join(repoRoot(), 'media/crds', file), 'utf8')) })
        .catch((e: { code?: number }) => {
          if (e?.code !== 409) throw e;
        });
    }
    await waitFor('the CRDs to be established', async () => {
      const list = await crds.listCustomResourceDefinition();
      return (
        CRDS.every((n) =>
          list.items
            .find((c) => c.metadata?.name === n)
            ?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'),
        ) || undefined
      );
    });
    await freshNamespace(kube.core, namespace);
    const web = deployment('webshop', {
      namespace,
      container: 'webshop',
      image: 'registry.example/webshop:1.0',
      replicas: 2,
      requests: { cpu: '50m', memory: '64Mi' },
      memoryLimit: null,
    });
    web.metadata!.annotations = { 'sim.nimbusguard.dev/load-rps': '120', 'sim.nimbusguard.dev/load-cpu': '60m' };
    await kube.apps.createNamespacedDeployment({ namespace, body: web });
    const query = 'sum(rate(http_requests_total{namespace="$namespace",pod=~"$pods"}[1m]))';
    await kube.kc.makeApiClient(k8s.CustomObjectsApi).createNamespacedCustomObject({
      group: 'nimbusguard.io',
      version: 'v1',
      plural: 'scalingpolicies',
      namespace,
      body: {
        apiVersion: 'nimbusguard.io/v1',
        kind: 'ScalingPolicy',
        metadata: { name: 'webshop-policy' },
        spec: {
          targetRef: { kind: 'Deployment', name: 'webshop' },
          minReplicas: 1,
          maxReplicas: 8,
          metrics: [{ query, threshold: 30, condition: 'gt' }],
        },
      },
    });
    workspace = mkdtempSync(join(tmpdir(), 'nimbusguard-e2e-prometheus-'));
    writeFileSync(join(workspace, 'README.md'), '# e2e workspace\n');
    vscode = await launchVSCode({
      workspace,
      env: { KUBECONFIG: kubeconfig },
      settings: { 'nimbusguard.prometheus.url': prometheusUrl() },
    });
  },
  { timeout: 240_000 },
);

after(
  async () => {
    try {
      await vscode?.close({ name: 'prometheus', failed });
    } finally {
      if (workspace) rmSync(workspace, { recursive: true, force: true });
      if (kube) {
        await deleteNamespace(kube.core, namespace);
        const crds = kube.kc.makeApiClient(k8s.ApiextensionsV1Api);
        for (const name of CRDS) await crds.deleteCustomResourceDefinition({ name }).catch(() => undefined);
      }
    }
  },
  { timeout: 120_000 },
);

test(
  'the tree names the governing policy; the Scaling panel shows Prometheus request rates sized by the policy',
  { timeout: 600_000 },
  async (t) => {
    assert.ok(vscode, 'VS Code started');
    const { workbench } = vscode;
    const page = workbench.page;
    try {
      await workbench.openViewContainer('NimbusGuard');
      const pane = await workbench.openViewPane('Workloads');
      await workbench.waitForTreeItem(namespace, { scope: pane, timeoutMs: 90_000 });
      await workbench.expandTreeItem(namespace, { scope: pane });
      await workbench.waitForTreeItem('webshop', { scope: pane, timeoutMs: 60_000 });
      const description = await waitFor(
        'the row to name the policy',
        async () => {
          const { description } = await workbench.treeItemText('webshop', pane);
          return description.includes('policy') ? description : undefined;
        },
        90_000,
      );
      assert.match(description, new RegExp(`policy ${namespace}/webshop-policy`));

      await workbench.runCommand('NimbusGuard: Show Scaling Proposal');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      await input.fill('webshop');
      await page
        .locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'webshop' })
        .first()
        .waitFor({ state: 'visible', timeout: 15_000 });
      await page.keyboard.press('Enter');

      const panel = page.frameLocator('iframe.webview').frameLocator('iframe');
      const source = await waitFor(
        'the panel to show Prometheus demand with a proposal',
        async () => {
          const text = (await panel.locator('#source').textContent({ timeout: 5_000 })) ?? '';
          const capacity = (await panel.locator('#capacity').textContent({ timeout: 5_000 })) ?? '';
          return /Prometheus/.test(text) && /req\/s/.test(capacity) ? text : undefined;
        },
        420_000,
      );
      assert.match(
        source,
        /^Demand \(req\/s\): Prometheus http:\/\/127\.0\.0\.1:\d+: ScalingPolicy e2e-prometheus\/webshop-policy's query/,
      );
      assert.match(source, /capacity per replica from the policy's threshold/);
      assert.equal((await panel.locator('#capacity').textContent())?.trim(), '30.0 req/s at the target utilization');
      const summary = (await panel.locator('#chart-summary').textContent()) ?? '';
      assert.match(summary, /^Requests per second from/);
      const shot = await vscode.screenshot('prometheus-scaling');
      t.diagnostic(`${source}; screenshot: ${shot}`);

      // Beside the proposal: the objective in force and how the forecast has done so far.
      assert.equal((await panel.locator('#objective').textContent())?.trim(), 'availability');
      assert.match((await panel.locator('#objective-text').textContent()) ?? '', /^Objective: availability\./);
      assert.match((await panel.locator('#accuracy').textContent()) ?? '', /% inside the band|Not enough history yet/);

      // Verify & Apply sends the change the panel shows through the Verification panel, with the replay.
      const apply = panel.locator('#apply');
      await apply.waitFor({ state: 'visible', timeout: 60_000 });
      const proposed = (await panel.locator('#proposed').textContent())?.trim() ?? '';
      await apply.click();
      const verify = await webviewFrame(page, '#phase', 60_000);
      await verify.locator('#verdict h2').waitFor({ state: 'visible', timeout: 120_000 });
      const verdict = (await verify.locator('#verdict h2').innerText()).trim();
      const replay = await verify.locator('li.check[data-check="replay"]').innerText();
      const shadow = await verify.locator('li.check[data-check="shadow"]').innerText();
      t.diagnostic(`panel: ${proposed}; ${verdict}; replay: ${replay.replace(/\s+/g, ' ')}`);
      assert.match(verdict, /Verdict: (pass|inconclusive|fail)/);
      assert.match(await verify.locator('h1').first().innerText(), /replicas|autoscaler/i);
      assert.doesNotMatch(replay, /not a scaling proposal/, 'the replay check ran for the scaling change');
      assert.match(shadow, /does not alter the pod template/, 'no shadow question for a scale');
      await vscode.screenshot('prometheus-scaling-verify');
    } catch (error) {
      failed = true;
      throw error;
    }
  },
);
