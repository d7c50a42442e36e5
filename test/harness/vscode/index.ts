// Real VS Code (code-server) in headless Chromium for end-to-end tests.
//
//   const vscode = await launchVSCode({ workspace, env: { KUBECONFIG } });
//   try { await vscode.workbench.openViewContainer('NimbusGuard'); ... }
//   finally { await vscode.close({ name: 'workloads', failed }); }
//
// close() always stops the browser, the code-server process group and the temporary directories;
// with failed=true it first saves a screenshot and the server and extension host logs under
// test-results/e2e/.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startCodeServer, repoRoot, type CodeServer, type CodeServerOptions } from './codeServer';
import { Workbench, screenshotPath, type OpenWorkbenchOptions } from './workbench';

export {
  startCodeServer,
  repoRoot,
  codeServerToolchain,
  freePort,
  quietSettings,
  stopProcessGroup,
} from './codeServer';
export type { CodeServer, CodeServerOptions } from './codeServer';
export { Workbench, chromiumArgs, screenshotPath } from './workbench';
export type { OpenWorkbenchOptions } from './workbench';

export interface VSCodeSession {
  server: CodeServer;
  workbench: Workbench;
  /** Screenshot to test-results/e2e/<name>.png. */
  screenshot(name: string): Promise<string>;
  close(outcome?: { name?: string; failed?: boolean }): Promise<void>;
}

export async function launchVSCode(
  options: CodeServerOptions & { browser?: OpenWorkbenchOptions },
): Promise<VSCodeSession> {
  const server = await startCodeServer(options);
  let workbench: Workbench;
  try {
    workbench = await Workbench.open(server.url, options.browser);
  } catch (error) {
    const dest = join(repoRoot(), 'test-results', 'e2e', 'startup-logs');
    server.saveLogs(dest);
    await server.stop();
    throw new Error(`the workbench did not load (logs in ${dest}): ${String(error)}`, { cause: error });
  }
  let closed: Promise<void> | undefined;
  return {
    server,
    workbench,
    screenshot: (name) => workbench.screenshot(name),
    close(outcome = {}) {
      closed ??= (async () => {
        try {
          if (outcome.failed) {
            const name = outcome.name ?? 'failure';
            await workbench.screenshot(`${name}-failure`).catch(() => undefined);
            const dest = join(repoRoot(), 'test-results', 'e2e', `${screenshotName(name)}-logs`);
            mkdirSync(dest, { recursive: true });
            writeFileSync(join(dest, 'browser-console.log'), workbench.console.join('\n'));
            server.saveLogs(dest);
            console.error(`e2e: screenshot and logs of "${name}" kept in ${dest}`);
          }
        } finally {
          await workbench.close();
          await server.stop();
        }
      })();
      return closed;
    },
  };
}

function screenshotName(name: string): string {
  const path = screenshotPath(name);
  return path.slice(path.lastIndexOf('/') + 1, -'.png'.length);
}
