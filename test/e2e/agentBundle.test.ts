// The agent ships as its own bundle and runs from the installed package: the .vsix installed into
// real VS Code holds dist/agent.js beside a dist/extension.js without LangChain, and an OOMKilled
// workload's incident gets the root cause and trail that only the agent graph produces.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { V1Deployment } from '@kubernetes/client-node';
import { launchVSCode, type VSCodeSession } from '../harness/vscode/index';
import { frameEventually, webviewFrame } from '../harness/vscode/webviews';
import { ADMIN, deleteNamespace, freshNamespace, kubeClients, kubeconfigPath } from '../harness/kubeKit';

const namespace = 'e2e-agent';
const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ledger
  namespace: ${namespace}
spec:
  replicas: 1
  selector:
    matchLabels: { app: ledger }
  template:
    metadata:
      labels: { app: ledger }
      annotations:
        sim.nimbusguard.dev/memory-peak: 300Mi
    spec:
      containers:
        - name: ledger
          image: registry.example/ledger:1.4
          resources:
            requests: { cpu: 50m, memory: 64Mi }
            limits: { memory: 96Mi }
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
    await kube.apps.createNamespacedDeployment({ namespace, body: parse(MANIFEST) as V1Deployment });
    workspace = mkdtempSync(join(tmpdir(), 'nimbusguard-e2e-agent-'));
    writeFileSync(join(workspace, 'README.md'), '# e2e workspace\n');
    vscode = await launchVSCode({ workspace, env: { KUBECONFIG: kubeconfig } });
  },
  { timeout: 240_000 },
);

after(
  async () => {
    try {
      await vscode?.close({ name: 'agent-bundle', failed });
    } finally {
      if (workspace) rmSync(workspace, { recursive: true, force: true });
      if (kube) await deleteNamespace(kube.core, namespace);
    }
  },
  { timeout: 120_000 },
);

test('the installed extension carries the agent in dist/agent.js, apart from the bundle parsed at activation', () => {
  assert.ok(vscode, 'VS Code started');
  const installed = readdirSync(vscode.server.extensionsDir).find((d) => d.startsWith('nimbusguard.nimbusguard-'));
  assert.ok(installed, `the .vsix is installed: ${readdirSync(vscode.server.extensionsDir).join(', ')}`);
  const dist = join(vscode.server.extensionsDir, installed, 'dist');
  assert.ok(existsSync(join(dist, 'agent.js')), `dist/agent.js is installed: ${readdirSync(dist).join(', ')}`);
  const agent = readFileSync(join(dist, 'agent.js'), 'utf8');
  const extension = readFileSync(join(dist, 'extension.js'), 'utf8');
  assert.match(agent, /StateGraph|__pregel/, 'the agent bundle holds LangGraph');
  assert.doesNotMatch(extension, /__pregel|ChatOpenAI/, 'the activation bundle does not');
  assert.ok(extension.length < agent.length, `extension.js ${extension.length} bytes, agent.js ${agent.length} bytes`);
});

test(
  'an incident opened from the tree shows the root cause and trail of its agent-graph thread',
  { timeout: 300_000 },
  async (t) => {
    assert.ok(vscode, 'VS Code started');
    const { workbench } = vscode;
    const page = workbench.page;
    try {
      await workbench.openViewContainer('NimbusGuard');
      const pane = await workbench.openViewPane('Workloads');
      await workbench.waitForTreeItem(ADMIN, { scope: pane, timeoutMs: 60_000 });
      await workbench.expandTreeItem(ADMIN, { scope: pane });
      await workbench.expandTreeItem(namespace, { scope: pane, timeoutMs: 60_000 });
      await workbench.expandTreeItem('ledger', { scope: pane, timeoutMs: 60_000 });
      const row = await workbench.waitForTreeItem('OOMKilled', { scope: pane, timeoutMs: 120_000 });
      await row.click();

      // The Incidents panel opens on the incident; its cause and trail follow the graph's thread.
      const frame = await webviewFrame(page, 'main.incidents', 60_000);
      await frame
        .locator('#detail-title')
        .filter({ hasText: 'OOMKilled' })
        .waitFor({ state: 'visible', timeout: 60_000 });
      await frame
        .locator('#cause-summary')
        .filter({ hasText: /memory limit 96Mi/i })
        .waitFor({ timeout: 120_000 });
      const trail = await frameEventually(
        page,
        'main.incidents',
        'the agent trail',
        async (f) => (await f.locator('#trail').innerText()).trim(),
        (text) => /diagnose: memory-limit/.test(text),
        60_000,
      );
      assert.match(trail, /observe: \d+ pieces of evidence/);
      assert.match(trail, /detect: confirmed OOMKilled/);
      const shot = await vscode.screenshot('agent-bundle-trail');
      t.diagnostic(`trail:\n${trail}\nscreenshot: ${shot}`);
    } catch (error) {
      failed = true;
      throw error;
    }
  },
);
