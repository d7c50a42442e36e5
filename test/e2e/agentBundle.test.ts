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
import { adminContext, clusterKubeconfig, deleteNamespace, eventually, freshNamespace, kubeClients } from './kube';

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

before(async () => {
  const kubeconfig = clusterKubeconfig();
  kube = kubeClients(kubeconfig);
  await freshNamespace(kube.core, namespace);
  await kube.apps.createNamespacedDeployment({ namespace, body: parse(MANIFEST) as V1Deployment });
  workspace = mkdtempSync(join(tmpdir(), 'nimbusguard-e2e-agent-'));
  writeFileSync(join(workspace, 'README.md'), '# e2e workspace\n');
  vscode = await launchVSCode({ workspace, env: { KUBECONFIG: kubeconfig } });
}, { timeout: 240_000 });

after(async () => {
  try {
    await vscode?.close({ name: 'agent-bundle', failed });
  } finally {
    if (workspace) rmSync(workspace, { recursive: true, force: true });
    if (kube) await deleteNamespace(kube.core, namespace);
  }
}, { timeout: 120_000 });

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

test('an incident opened from the tree shows the root cause and trail of its agent-graph thread', { timeout: 300_000 }, async (t) => {
  assert.ok(vscode, 'VS Code started');
  const { workbench } = vscode;
  const page = workbench.page;
  try {
    await workbench.openViewContainer('NimbusGuard');
    const pane = await workbench.openViewPane('Workloads');
    await workbench.waitForTreeItem(adminContext, { scope: pane, timeoutMs: 60_000 });
    await workbench.expandTreeItem(adminContext, { scope: pane });
    await workbench.expandTreeItem(namespace, { scope: pane, timeoutMs: 60_000 });
    await workbench.expandTreeItem('ledger', { scope: pane, timeoutMs: 60_000 });
    const row = await workbench.waitForTreeItem('OOMKilled', { scope: pane, timeoutMs: 120_000 });
    await row.click();

    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.waitFor({ state: 'visible', timeout: 30_000 });
    // The document is Markdown with escaped punctuation (memory\-limit): read it unescaped.
    const text = async () => (await editor.locator('.view-lines').innerText()).replace(/\u00a0/g, ' ').replace(/\\(?=\S)/g, '');
    // The document follows the thread: the root cause shows once the graph's diagnose node ran.
    const top = await eventually('the root cause from the agent', async () => {
      const shown = await text();
      return /## Root cause/.test(shown) && /memory-limit/.test(shown) ? shown : undefined;
    }, 120_000);
    assert.match(top, /96Mi/, `the cause names the memory limit:\n${top}`);
    assert.doesNotMatch(top, /diagnosing this incident/);

    // The agent trail at the end of the document is the graph's own record of its nodes.
    await editor.locator('.view-lines').click();
    await page.keyboard.press('Control+End');
    const bottom = await eventually('the agent trail', async () => {
      const shown = await text();
      return /Agent trail/.test(shown) && /diagnose: memory-limit/.test(shown) ? shown : undefined;
    }, 30_000);
    assert.match(bottom, /observe: \d+ pieces of evidence/);
    assert.match(bottom, /detect: confirmed OOMKilled/);
    const shot = await vscode.screenshot('agent-bundle-trail');
    t.diagnostic(`screenshot: ${shot}`);
  } catch (error) {
    failed = true;
    throw error;
  }
});
