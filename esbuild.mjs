// Builds every bundle NimbusGuard ships or tests:
//   dist/extension.js  VS Code extension host (node, cjs, `vscode` external), kept small: it is
//                      parsed at activation
//   dist/cluster.js    the Kubernetes client side (@kubernetes/client-node, undici), required by
//                      dist/extension.js on the first connection, after activation
//   dist/agent.js      the agent (graph, thread runner, LLM step: all of @langchain/*), required by
//                      dist/extension.js on first use
//   dist/cli.js        the `nimbusguard` command (node, cjs, executable)
//   dist/webview/*.js  one browser bundle per webview app (webview/<name>/main.ts)
//   out/test/**        test files (node, esm, packages external) with --tests
import * as esbuild from 'esbuild';
import { readdirSync, statSync, existsSync, rmSync, chmodSync } from 'node:fs';
import { join, relative } from 'node:path';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const root = new URL('.', import.meta.url).pathname;

function walk(dir, accept) {
  if (!existsSync(dir)) return [];
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...walk(path, accept));
    else if (accept(path)) found.push(path);
  }
  return found.sort();
}

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  legalComments: 'none',
  logLevel: 'warning',
  absWorkingDir: root,
  // LangChain/LangGraph read these at import time; keep tracing and telemetry off unless asked.
  define: { 'process.env.LANGCHAIN_TRACING_V2': '"false"' },
};

const nodeTarget = { ...common, platform: 'node', target: 'node22', mainFields: ['module', 'main'] };

const webviewEntries = walk(join(root, 'webview'), (p) => p.endsWith('/main.ts')).map((p) => ({
  in: p,
  out: relative(join(root, 'webview'), p).replace(/\/main\.ts$/, ''),
}));

// The extension bundle must not swallow the lazy ones: a static import of these packages from
// anything it reaches would put them back into what activation parses. Fail the build instead.
const LAZY_PACKAGES = [
  { filter: /^@langchain\//, bundle: 'dist/agent.js (src/agent/agentBundle.ts)' },
  { filter: /^@kubernetes\/client-node$/, bundle: 'dist/cluster.js (src/cluster/clusterBundle.ts)' },
  { filter: /^undici$/, bundle: 'dist/cluster.js (src/cluster/clusterBundle.ts)' },
];
const keepActivationSmall = {
  name: 'keep-activation-small',
  setup(build) {
    for (const { filter, bundle } of LAZY_PACKAGES) {
      build.onResolve({ filter }, (args) => ({
        errors: [
          {
            text: `${args.path} is imported by ${relative(root, args.importer)}: the extension loads it from ${bundle} on first use (src/lazyBundle.ts); import only types here`,
          },
        ],
      }));
    }
  },
};

const builds = [
  {
    ...nodeTarget,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    format: 'cjs',
    external: ['vscode'],
    plugins: [keepActivationSmall],
  },
  { ...nodeTarget, entryPoints: ['src/cluster/clusterBundle.ts'], outfile: 'dist/cluster.js', format: 'cjs' },
  { ...nodeTarget, entryPoints: ['src/agent/agentBundle.ts'], outfile: 'dist/agent.js', format: 'cjs' },
  {
    ...nodeTarget,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    format: 'cjs',
    banner: { js: '#!/usr/bin/env node' },
    define: { ...common.define, 'process.env.NIMBUSGUARD_CLI': '"1"' },
  },
];
if (webviewEntries.length > 0) {
  builds.push({
    ...common,
    define: {},
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    entryPoints: webviewEntries,
    outdir: 'dist/webview',
    tsconfig: 'webview/tsconfig.json',
  });
}
if (args.has('--tests')) {
  const tests = walk(join(root, 'test'), (p) => p.endsWith('.test.ts') || p.endsWith('.bench.ts')).map((p) =>
    relative(root, p),
  );
  builds.push({
    ...common,
    define: {},
    platform: 'node',
    target: 'node22',
    format: 'esm',
    packages: 'external',
    entryPoints: tests,
    outbase: '.',
    outdir: 'out',
    outExtension: { '.js': '.mjs' },
    sourcemap: 'inline',
  });
}

// --clean starts the shipped bundles from nothing, so no stale file (e.g. a source map) is packaged.
if (!watch && args.has('--clean')) rmSync(join(root, 'dist'), { recursive: true, force: true });

if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('esbuild: watching');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  if (existsSync(join(root, 'dist/cli.js'))) chmodSync(join(root, 'dist/cli.js'), 0o755);
}
