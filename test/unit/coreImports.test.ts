// The import graph of src/core: no module reaches itself through its imports (type imports
// included), and core/model, the vocabulary every layer shares, imports nothing outside itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = join(import.meta.dirname, '../../..');
const core = join(root, 'src/core');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Relative module specifiers of every import and re-export, static or dynamic. */
function specifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|[\s;])(?:import|export)\s[^'";]*?\sfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g))
    out.push(m[1]!);
  for (const m of text.matchAll(/(?:^|[\s;])import\s*['"](\.{1,2}\/[^'"]+)['"]/g)) out.push(m[1]!);
  for (const m of text.matchAll(/import\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

function resolveModule(from: string, spec: string): string {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return `${base}.ts`;
}

function importGraph(files: readonly string[], read: (file: string) => string): Map<string, string[]> {
  return new Map(files.map((f) => [f, specifiers(read(f)).map((s) => resolveModule(f, s))]));
}

/** Every cycle's members in path order (one cycle per strongly connected group, Tarjan's algorithm). */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(group.reverse());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

test('no import cycle among the modules of src/core', () => {
  const files = sources(core);
  assert.ok(files.length > 20, 'src/core holds the pure modules');
  const graph = importGraph(files, (f) => readFileSync(f, 'utf8'));
  assert.deepEqual(
    cycles(graph).map((c) => c.map((f) => relative(core, f)).join(' → ')),
    [],
  );
});

test('the folders of src/core depend on each other without a cycle (model ← detect ← diagnose, learning ← scaling)', () => {
  const folderOf = (file: string) => relative(core, file).split('/')[0]!.replace(/\.ts$/, '');
  const byFolder = new Map<string, string[]>();
  for (const [file, deps] of importGraph(sources(core), (f) => readFileSync(f, 'utf8'))) {
    const from = folderOf(file);
    const edges = byFolder.get(from) ?? [];
    for (const d of deps) if (d.startsWith(`${core}/`) && folderOf(d) !== from) edges.push(folderOf(d));
    byFolder.set(from, [...new Set(edges)]);
  }
  assert.deepEqual(cycles(byFolder), []);
});

test('core/model imports only core/model', () => {
  const model = join(core, 'model');
  const outside = [...importGraph(sources(model), (f) => readFileSync(f, 'utf8'))].flatMap(([file, deps]) =>
    deps.filter((d) => !d.startsWith(`${model}/`)).map((d) => `${relative(core, file)} imports ${relative(core, d)}`),
  );
  assert.deepEqual(outside, []);
});

test('the cycle check sees every import form and finds a cycle of any length', () => {
  const text = [
    "import type { A } from './a';",
    "import { b } from '../b';",
    "export { c } from './c';",
    "export * from './d';",
    "import './e';",
    "const f = await import('./f');",
    "import {\n  g,\n  h,\n} from './g';",
    "import { parse } from 'yaml';",
  ].join('\n');
  assert.deepEqual(specifiers(text), ['./a', '../b', './c', './d', './g', './e', './f']);
  const graph = new Map([
    ['a', ['b']],
    ['b', ['c']],
    ['c', ['a']],
    ['d', ['d']],
    ['e', ['a']],
  ]);
  assert.deepEqual(cycles(graph), [['a', 'b', 'c'], ['d']]);
  assert.deepEqual(
    cycles(
      new Map([
        ['a', ['b']],
        ['b', []],
      ]),
    ),
    [],
  );
});
