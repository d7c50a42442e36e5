// How long NimbusGuard takes to activate in real VS Code, as VS Code itself reports it in
// "Developer: Show Running Extensions" (code loading plus the activate call). Each run starts a
// fresh code-server with the packaged .vsix installed, opens the NimbusGuard view (which activates
// the extension; the tree fills in afterwards), opens Running Extensions and reads NimbusGuard's row.
//
//   node out/test/bench/activation.bench.mjs [--vsix FILE] [--runs N] [--kubeconfig FILE] [--json]
//
// Without --kubeconfig the local test cluster's kubeconfig is used when it is up, so the view has a
// cluster to show; otherwise the extension activates with no kubeconfig.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchVSCode, repoRoot, type VSCodeSession } from '../harness/vscode/index';

interface Args {
  vsix: string;
  runs: number;
  kubeconfig: string | undefined;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const clusterKubeconfig = join(process.env['NIMBUSGUARD_CLUSTER_DIR'] ?? join(repoRoot(), '.cluster'), 'kubeconfig');
  const runs = Number(value('--runs') ?? 5);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, not ${value('--runs')}`);
  return {
    vsix: value('--vsix') ?? join(repoRoot(), 'dist/nimbusguard.vsix'),
    runs,
    kubeconfig: value('--kubeconfig') ?? (existsSync(clusterKubeconfig) ? clusterKubeconfig : undefined),
    json: argv.includes('--json'),
  };
}

/** One code-server start: NimbusGuard's activation time in milliseconds, as Running Extensions shows it. */
async function measureOnce(args: Args, workspace: string): Promise<{ ms: number; text: string }> {
  const env: Record<string, string | undefined> = { KUBECONFIG: args.kubeconfig ?? join(workspace, 'no-kubeconfig') };
  let vscode: VSCodeSession | undefined;
  try {
    // A tall window, so Running Extensions (slowest first, rows rendered only when in view) shows more rows.
    vscode = await launchVSCode({
      workspace,
      env,
      vsix: [args.vsix],
      browser: { viewport: { width: 1440, height: 2000 } },
    });
    const { workbench } = vscode;
    await workbench.openViewContainer('NimbusGuard');
    await workbench.openViewPane('Workloads');
    await workbench.runCommand('Developer: Show Running Extensions', 30_000);
    const page = workbench.page;
    // The row names the extension by its display name, or by its id when the editor has no details for it.
    const row = page
      .locator('.part.editor .monaco-list-row')
      .filter({ has: page.locator('.name', { hasText: /^\s*(NimbusGuard|nimbusguard\.nimbusguard)\s*$/ }) })
      .first();
    const list = page
      .locator('.part.editor .monaco-list')
      .filter({ has: page.locator('.monaco-list-row .activation-time') })
      .first();
    await list.waitFor({ state: 'visible', timeout: 60_000 });
    // Scroll down until NimbusGuard's row is rendered.
    for (let i = 0; i < 40 && !(await row.isVisible()); i++) {
      await list.hover();
      await page.mouse.wheel(0, 300);
      await page.waitForTimeout(100);
    }
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    const time = row.locator('.activation-time');
    await page.waitForFunction((el) => /\d+\s*ms/.test(el?.textContent ?? ''), await time.elementHandle(), {
      timeout: 60_000,
    });
    const text = ((await time.textContent()) ?? '').trim();
    const ms = Number(/(\d+(?:\.\d+)?)\s*ms/.exec(text)?.[1]);
    if (!Number.isFinite(ms)) throw new Error(`cannot read an activation time from "${text}"`);
    return { ms, text };
  } catch (error) {
    const shot = await vscode?.screenshot('activation-bench-failure').catch(() => undefined);
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}${shot ? ` (screenshot: ${shot})` : ''}`,
      { cause: error },
    );
  } finally {
    await vscode?.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!existsSync(args.vsix)) throw new Error(`${args.vsix} does not exist; run \`npm run package\` first`);
  const workspace = mkdtempSync(join(tmpdir(), 'nimbusguard-activation-'));
  writeFileSync(join(workspace, 'README.md'), '# activation bench\n');
  const figures: number[] = [];
  try {
    console.log(
      `Activation of ${args.vsix} (${args.kubeconfig ? `kubeconfig ${args.kubeconfig}` : 'no kubeconfig'}), ${args.runs} runs`,
    );
    for (let run = 1; run <= args.runs; run++) {
      const { ms, text } = await measureOnce(args, workspace);
      figures.push(ms);
      console.log(`  run ${run}: ${ms} ms  (Running Extensions: "${text}")`);
    }
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
  const result = { median: median(figures), min: Math.min(...figures), max: Math.max(...figures), runs: figures };
  console.log(
    `NimbusGuard activation (code loading + activate call): median ${result.median} ms, min ${result.min} ms, max ${result.max} ms over ${figures.length} runs`,
  );
  if (args.json) console.log(JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(`bench:activation: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
