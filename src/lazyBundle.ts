// Bundles that activation does not parse (dist/cluster.js, dist/agent.js) are required from the
// extension's own dist/ folder on first use. The require of a computed path is left alone by
// esbuild, so what it loads stays in its own file.
import { join } from 'node:path';

/** A loader for `<dir>/<file>`, required once, on the first call (after the calling turn ends). */
export function lazyBundle<T>(dir: string, file: string): () => Promise<T> {
  let loaded: T | undefined;
  return async () => {
    // Never inside the caller's synchronous turn: a load asked for during activate() happens after it.
    if (!loaded) await new Promise((resolve) => setImmediate(resolve));
    loaded ??= require(join(dir, file)) as T;
    return loaded;
  };
}
