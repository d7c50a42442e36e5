// Starts and stops the cached code-server for end-to-end tests: throw-away user data and extensions
// directories, the packaged extension installed first, quiet settings, a free loopback port.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
  cpSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: $NIMBUSGUARD_REPO, else the nearest parent of this file (or of the cwd) holding NimbusGuard's package.json. */
export function repoRoot(): string {
  if (process.env.NIMBUSGUARD_REPO) return process.env.NIMBUSGUARD_REPO;
  for (const start of [dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    let dir = start;
    for (;;) {
      const manifest = join(dir, 'package.json');
      if (existsSync(manifest) && existsSync(join(dir, 'test/harness/vscode/install.sh'))) {
        try {
          if (JSON.parse(readFileSync(manifest, 'utf8')).name === 'nimbusguard') return dir;
        } catch {
          // not ours; keep climbing
        }
      }
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new Error('cannot find the NimbusGuard repository; set NIMBUSGUARD_REPO');
}

function runScript(script: string): string {
  const result = spawnSync('bash', [join(repoRoot(), script)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`bash ${script} failed (exit ${result.status ?? result.signal})`);
  const lines = result.stdout.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}

let toolchain: { node: string; launcher: string } | undefined;

/** The Node 24 binary and code-server entry point, installing them on first use. */
export function codeServerToolchain(): { node: string; launcher: string } {
  if (!toolchain) {
    const nodeBin = process.env.NIMBUSGUARD_NODE24_BIN ?? runScript('test/harness/node.sh');
    const launcher = process.env.NIMBUSGUARD_CODE_SERVER ?? runScript('test/harness/vscode/install.sh');
    toolchain = { node: join(nodeBin, 'node'), launcher };
  }
  return toolchain;
}

/** A loopback port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Settings that keep first-run pages, tips, trust prompts and network chatter out of the way. */
export const quietSettings: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.settings.enableNaturalLanguageSearch': false,
  'security.workspace.trust.enabled': false,
  'security.workspace.trust.startupPrompt': 'never',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'github.copilot.enable': { '*': false },
  'window.commandCenter': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.colorTheme': 'Default Dark Modern',
};

export interface CodeServerOptions {
  /** Folder opened as the workspace. */
  workspace: string;
  /** Extra environment for code-server and the extension host (e.g. KUBECONFIG). */
  env?: Record<string, string | undefined>;
  /** .vsix files installed before start; defaults to <repo>/dist/nimbusguard.vsix. Pass [] for none. */
  vsix?: string[];
  /** User settings merged over quietSettings. */
  settings?: Record<string, unknown>;
  /** Fixed port; a free one otherwise. */
  port?: number;
  /** Persistent state directory (user data, extensions); a temporary one, removed on stop, otherwise. */
  stateDir?: string;
  /** Milliseconds to wait for the server to answer. */
  startTimeoutMs?: number;
}

export interface CodeServer {
  url: string;
  port: number;
  pid: number;
  userDataDir: string;
  extensionsDir: string;
  logFile: string;
  /** Copies code-server's own and the extension host's logs to dest. */
  saveLogs(dest: string): void;
  /** Stops the whole process group and removes temporary directories; safe to call twice. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();

/** Signals every process in the child's group (it was spawned detached, so it leads one). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is empty
  }
}

const temporaryDirs = new Set<string>();
let exitHooks = false;

/** Whatever happens to the test process, no code-server outlives it. */
function installExitHooks(): void {
  if (exitHooks) return;
  exitHooks = true;
  const reap = () => {
    for (const child of live) killGroup(child, 'SIGKILL');
    for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', reap);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      reap();
      process.kill(process.pid, signal);
    });
  }
}

function installExtensions(
  node: string,
  launcher: string,
  userDataDir: string,
  extensionsDir: string,
  vsix: string[],
  env: NodeJS.ProcessEnv,
): void {
  for (const file of vsix) {
    if (!existsSync(file)) throw new Error(`${file} does not exist; run \`npm run package\` first`);
    const result = spawnSync(
      node,
      [
        launcher,
        '--user-data-dir',
        userDataDir,
        '--extensions-dir',
        extensionsDir,
        '--install-extension',
        file,
        '--force',
      ],
      { encoding: 'utf8', env, timeout: 120_000 },
    );
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    if (result.status !== 0 || !/successfully installed|already installed/i.test(output)) {
      throw new Error(
        `installing ${file} into code-server failed (exit ${result.status ?? result.signal}):\n${output}`,
      );
    }
  }
}

async function waitHealthy(url: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `code-server exited (${child.exitCode ?? child.signalCode}) before answering:\n${readLog(logFile)}`,
      );
    }
    try {
      const response = await fetch(`${url}healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer on ${url} within ${timeoutMs} ms:\n${readLog(logFile)}`);
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-8000);
  } catch {
    return '(no log)';
  }
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const { node, launcher } = codeServerToolchain();
  const temporary = options.stateDir === undefined;
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'nimbusguard-vscode-'));
  installExitHooks();
  if (temporary) temporaryDirs.add(stateDir);
  const userDataDir = join(stateDir, 'user-data');
  const extensionsDir = join(stateDir, 'extensions');
  const configFile = join(stateDir, 'config.yaml');
  const logFile = join(stateDir, 'code-server.log');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(configFile, 'auth: none\n');
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...quietSettings, ...options.settings }, null, 2),
  );

  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  // Settings and state of a developer's own code-server must not leak in, nor ours out.
  env.XDG_CONFIG_HOME = join(stateDir, 'xdg-config');
  env.XDG_DATA_HOME = join(stateDir, 'xdg-data');
  delete env.VSCODE_IPC_HOOK_CLI;
  delete env.NODE_OPTIONS;

  const removeState = () => {
    if (!temporary) return;
    rmSync(stateDir, { recursive: true, force: true, maxRetries: 3 });
    temporaryDirs.delete(stateDir);
  };

  let child: ChildProcess | undefined;
  try {
    installExtensions(
      node,
      launcher,
      userDataDir,
      extensionsDir,
      options.vsix ?? [join(repoRoot(), 'dist/nimbusguard.vsix')],
      env,
    );
    const port = options.port ?? (await freePort());
    const url = `http://127.0.0.1:${port}/`;
    const log = createWriteStream(logFile, { flags: 'a' });
    child = spawn(
      node,
      [
        launcher,
        '--config',
        configFile,
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--auth',
        'none',
        '--user-data-dir',
        userDataDir,
        '--extensions-dir',
        extensionsDir,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--ignore-last-opened',
        options.workspace,
      ],
      { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    live.add(child);
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const started = child;
    await waitHealthy(url, started, logFile, options.startTimeoutMs ?? 60_000);

    let stopping: Promise<void> | undefined;
    return {
      url,
      port,
      pid: started.pid ?? -1,
      userDataDir,
      extensionsDir,
      logFile,
      saveLogs(dest: string) {
        mkdirSync(dest, { recursive: true });
        if (existsSync(logFile)) cpSync(logFile, join(dest, 'code-server.log'));
        const logs = join(userDataDir, 'logs');
        if (existsSync(logs)) cpSync(logs, join(dest, 'logs'), { recursive: true });
      },
      stop() {
        stopping ??= (async () => {
          await stopProcessGroup(started);
          live.delete(started);
          log.end();
          removeState();
        })();
        return stopping;
      },
    };
  } catch (error) {
    if (child) {
      await stopProcessGroup(child);
      live.delete(child);
    }
    removeState();
    throw error;
  }
}

/** SIGTERM to the group, SIGKILL after five seconds, resolved once the leader is gone. */
export async function stopProcessGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    killGroup(child, 'SIGKILL');
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  // The extension host and file watcher may outlive the server process by a moment.
  killGroup(child, 'SIGKILL');
}
