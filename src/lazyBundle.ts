// Bundles that activation does not parse (dist/cluster.js, dist/agent.js) are required from the
// extension's own dist/ folder on first use. The path is computed at run time, so esbuild leaves
// the require alone and what it loads stays in its own file.
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** A loader for `<dir>/<file>`, required once, on the first call (after the calling turn ends). */
export function lazyBundle<T>(dir: string, file: string): () => Promise<T> {
  const path = join(dir, file);
  let loaded: T | undefined;
  return async () => {
    // Never inside the caller's synchronous turn: a load asked for during activate() happens after it.
    if (!loaded) await new Promise((resolve) => setImmediate(resolve));
    loaded ??= createRequire(path)(path) as T;
    return loaded;
  };
}
