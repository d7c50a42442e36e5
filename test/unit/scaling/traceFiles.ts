// Locates the shared benchmark traces next to the repository, for tests that run them in full.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseTrace, traceTicks } from '../../../src/core/scaling/trace';

function repoRoot(): string {
  let dir = fileURLToPath(new URL('.', import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = join(dir, '..');
  }
  return process.cwd();
}

/** `$NIMBUSGUARD_TRACES`, else the first `shared/traces` beside the repository or a folder above it. */
function sharedTraces(): string {
  const fromEnv = process.env['NIMBUSGUARD_TRACES'];
  if (fromEnv) return fromEnv;
  let dir = repoRoot();
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'shared', 'traces');
    if (existsSync(candidate)) return candidate;
    dir = join(dir, '..');
  }
  return join(repoRoot(), '..', 'shared', 'traces');
}

export const SHARED_TRACES = sharedTraces();

export function loadSharedTrace(name: string): Float64Array | undefined {
  const path = join(SHARED_TRACES, `${name}.csv`);
  if (!existsSync(path)) return undefined;
  return traceTicks(parseTrace(readFileSync(path, 'utf8'), path));
}
