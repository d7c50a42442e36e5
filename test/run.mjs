// Runs the test layers with node's test runner and fails when any layer fails or runs no test.
// Each layer's TAP stream is kept under test-results/<layer>.tap; the closing line sums them up.
import { spawnSync, spawn } from 'node:child_process';
import {
  createWriteStream,
  mkdirSync,
  readdirSync,
  statSync,
  readFileSync,
  existsSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Buffer } from 'node:buffer';
import { once } from 'node:events';

const root = new URL('..', import.meta.url).pathname;
const all = ['unit', 'cluster', 'e2e'];

// `run.mjs --in-order TAP OPTIONS FILE...`: node's test runner on the files in the order given (the
// --test command line sorts them by name), spec output to stdout, TAP to the file. OPTIONS is the
// JSON of { concurrency, timeout } (timeout per test, as --test-timeout).
if (process.argv[2] === '--in-order') {
  const [tapPath, options, ...files] = process.argv.slice(3);
  const { run } = await import('node:test');
  const { spec, tap } = await import('node:test/reporters');
  const stream = run({ files, ...JSON.parse(options) });
  stream.on('test:fail', (event) => {
    if (!event.todo) process.exitCode = 1;
  });
  stream.compose(new spec()).pipe(process.stdout);
  await once(stream.compose(tap).pipe(createWriteStream(tapPath)), 'finish');
  process.exit();
}

// `test/run.sh --bench NAME`: a benchmark against the local control plane, figures printed.
if (process.argv[2] === '--bench') {
  const name = process.argv[3] ?? '';
  const file = join(root, 'out/test/bench', `${name}.bench.mjs`);
  const built = spawnSync(process.execPath, ['esbuild.mjs', '--tests'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(1);
  if (!existsSync(file)) {
    console.error(`no benchmark named "${name}" (expected test/bench/${name}.bench.ts)`);
    process.exit(2);
  }
  const up = spawnSync('bash', ['test/harness/cluster/up.sh'], { cwd: root, stdio: 'inherit' });
  if (up.status !== 0) process.exit(1);
  const run = spawnSync(process.execPath, ['--expose-gc', file, ...process.argv.slice(4)], {
    cwd: root,
    stdio: 'inherit',
  });
  if (process.env.NIMBUSGUARD_KEEP_CLUSTER !== '1')
    spawnSync('bash', ['test/harness/cluster/down.sh'], { cwd: root, stdio: 'inherit' });
  process.exit(run.status ?? 1);
}

const layers = process.argv.slice(2).length > 0 ? process.argv.slice(2) : all;
for (const layer of layers) {
  if (!all.includes(layer)) {
    console.error(`unknown test layer "${layer}" (expected one of ${all.join(', ')})`);
    process.exit(2);
  }
}

function step(title, command, args, env = {}) {
  console.log(`\n▶ ${title}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) {
    console.error(`✖ ${title} failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...testFiles(path));
    else if (name.endsWith('.test.mjs')) found.push(path);
  }
  return found.sort();
}

/**
 * A test file that neither disturbs nor relies on anything outside its own scratch namespaces (no
 * cluster-scoped objects, no API server restart, no reliance on free node capacity, no count of the
 * whole context) says so with this line in its header, and may run beside other such files. One
 * that waits long (minutes of metrics history) adds ", started first", so its wait overlaps the
 * others' instead of closing the layer.
 */
const SHARES_CLUSTER = /^\/\/ Runs beside other test files(, started first)?:/m;

/** 0 for an unmarked file, 1 for a marked one, 2 for a marked one started first. */
function sharing(layer, file) {
  const source = join(
    root,
    'test',
    layer,
    file.slice(join(root, 'out/test', layer).length + 1).replace(/\.mjs$/, '.ts'),
  );
  const marker = existsSync(source) ? SHARES_CLUSTER.exec(readFileSync(source, 'utf8')) : null;
  return marker ? (marker[1] ? 2 : 1) : 0;
}

/**
 * How the marked files of a layer run. They mostly wait on the cluster (controllers, metrics intervals,
 * Prometheus history, settle periods), so overlapping them shortens a layer on two cores.
 * - cluster: the unmarked files (nodes, CRDs, webhooks, an API server restart, free node capacity) run
 *   one at a time with nothing beside them; then the marked files run `concurrency` at a time.
 * - e2e: no file there disturbs the cluster, so the marked files run `concurrency` at a time in a lane
 *   of their own, beside the unmarked files, which run one at a time (each drives a browser).
 */
const SHARED = { cluster: { concurrency: 3, beside: false }, e2e: { concurrency: 1, beside: true } };

/**
 * Runs node's test runner on `files`; the TAP stream goes to `tapPath`. With `buffered` the spec
 * output is kept and returned instead of printed, so two runs at once do not interleave. With
 * `concurrency` the files start in the order given, that many at a time.
 */
function runFiles(files, tapPath, extraArgs, { buffered = false, concurrency } = {}) {
  return new Promise((resolve) => {
    rmSync(tapPath, { force: true });
    const timeout = Number(extraArgs.find((a) => a.startsWith('--test-timeout='))?.split('=')[1] ?? Infinity);
    const args =
      concurrency === undefined
        ? [
            '--test',
            '--test-reporter=spec',
            '--test-reporter-destination=stdout',
            '--test-reporter=tap',
            `--test-reporter-destination=${tapPath}`,
            ...extraArgs,
            ...files,
          ]
        : [
            join(root, 'test/run.mjs'),
            '--in-order',
            tapPath,
            JSON.stringify({ concurrency, ...(Number.isFinite(timeout) ? { timeout } : {}) }),
            ...files,
          ];
    const child = spawn(process.execPath, args, {
      cwd: root,
      stdio: ['ignore', buffered ? 'pipe' : 'inherit', buffered ? 'pipe' : 'inherit'],
    });
    const output = [];
    child.stdout?.on('data', (d) => output.push(d));
    child.stderr?.on('data', (d) => output.push(d));
    child.on('close', (code) => {
      const tap = existsSync(tapPath) ? readFileSync(tapPath, 'utf8') : '';
      resolve({ code: code ?? 1, tap, output: Buffer.concat(output).toString('utf8') });
    });
  });
}

async function runLayer(layer, extraArgs) {
  const files = testFiles(join(root, 'out/test', layer));
  console.log(`\n▶ ${layer} tests (${files.length} files)`);
  mkdirSync(join(root, 'test-results'), { recursive: true });
  const tapPath = join(root, 'test-results', `${layer}.tap`);
  if (files.length === 0) return { layer, pass: 0, fail: 0, skipped: 0, code: 1 };
  const lanes = SHARED[layer];
  const marks = new Map(files.map((f) => [f, lanes ? sharing(layer, f) : 0]));
  const shared = files.filter((f) => marks.get(f) > 0).sort((a, b) => marks.get(b) - marks.get(a));
  const alone = files.filter((f) => !shared.includes(f));
  let results;
  if (shared.length === 0 || alone.length === 0) {
    results = [await runFiles(files, tapPath, extraArgs, shared.length > 0 ? { concurrency: lanes.concurrency } : {})];
  } else {
    const aloneTitle = `${layer}: ${alone.length} files one at a time${lanes.beside ? '' : ', nothing beside them'}`;
    const sharedTitle = `${layer}: ${shared.length} files that share the cluster, ${lanes.concurrency} at a time`;
    if (lanes.beside) {
      console.log(`\n▶ ${aloneTitle}; beside them, ${sharedTitle} (their output follows)`);
      const besideRun = runFiles(shared, `${tapPath}.shared`, extraArgs, {
        buffered: true,
        concurrency: lanes.concurrency,
      });
      const aloneRun = await runFiles(alone, `${tapPath}.alone`, extraArgs);
      const sharedRun = await besideRun;
      console.log(`\n▶ ${sharedTitle}`);
      process.stdout.write(sharedRun.output);
      results = [aloneRun, sharedRun];
    } else {
      console.log(`\n▶ ${aloneTitle}`);
      const aloneRun = await runFiles(alone, `${tapPath}.alone`, extraArgs);
      console.log(`\n▶ ${sharedTitle}`);
      results = [aloneRun, await runFiles(shared, `${tapPath}.shared`, extraArgs, { concurrency: lanes.concurrency })];
    }
    writeFileSync(tapPath, results.map((r) => r.tap).join(''));
    for (const suffix of ['.alone', '.shared']) rmSync(tapPath + suffix, { force: true });
  }
  const tap = results.map((r) => r.tap).join('');
  const code = results.find((r) => r.code !== 0)?.code ?? 0;
  const count = (key) => [...tap.matchAll(new RegExp(`^# ${key} (\\d+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
  return {
    layer,
    pass: count('pass'),
    fail: count('fail'),
    skipped: count('skipped') + count('todo'),
    code,
  };
}

step('build (extension, CLI, webviews, tests)', process.execPath, ['esbuild.mjs', '--tests']);
step('typecheck', process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']);
if (existsSync(join(root, 'webview/tsconfig.json'))) {
  step('typecheck webviews', process.execPath, [
    'node_modules/typescript/bin/tsc',
    '-p',
    'webview/tsconfig.json',
    '--noEmit',
  ]);
}
step('lint (ESLint)', process.execPath, ['node_modules/eslint/bin/eslint.js', '.']);
step('format (Prettier)', process.execPath, ['node_modules/prettier/bin/prettier.cjs', '--check', '.']);

const results = [];
let clusterStarted = false;
try {
  for (const layer of layers) {
    if ((layer === 'cluster' || layer === 'e2e') && !clusterStarted) {
      step('start the local control plane', 'bash', ['test/harness/cluster/up.sh']);
      clusterStarted = true;
    }
    if (layer === 'e2e') {
      step('package the extension', 'npm', ['run', '--silent', 'package']);
      step('prepare code-server', 'bash', ['test/harness/vscode/install.sh']);
    }
    // A hung test must fail, not stall CI: no single test may take longer than 10 minutes.
    results.push(
      await runLayer(
        layer,
        layer === 'unit' ? ['--test-timeout=120000'] : ['--test-concurrency=1', '--test-timeout=600000'],
      ),
    );
  }
} finally {
  if (clusterStarted && process.env.NIMBUSGUARD_KEEP_CLUSTER !== '1') {
    spawnSync('bash', ['test/harness/cluster/down.sh'], { cwd: root, stdio: 'inherit' });
  }
}

console.log('\nTest layers:');
let failed = false;
for (const r of results) {
  const empty = r.pass + r.fail === 0;
  const bad = r.fail > 0 || r.skipped > 0 || empty || r.code !== 0;
  failed ||= bad;
  const why = empty
    ? ' — ran no test'
    : r.skipped > 0
      ? ' — skipped tests are not allowed'
      : r.code !== 0 && r.fail === 0
        ? ` — runner exited ${r.code}`
        : '';
  console.log(`  ${bad ? '✖' : '✔'} ${r.layer}: ${r.pass} passed, ${r.fail} failed, ${r.skipped} skipped${why}`);
}
const pass = results.reduce((n, r) => n + r.pass, 0);
const fail = results.reduce((n, r) => n + r.fail, 0) + (failed && results.every((r) => r.fail === 0) ? 1 : 0);
console.log(`\n${pass} passed, ${fail} failed`);
process.exit(failed ? 1 : 0);
