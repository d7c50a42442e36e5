// src/core is pure: no editor, no Kubernetes client, no LLM framework. This keeps it testable
// and shareable between the extension, the CLI and the benchmarks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../../..');
const FORBIDDEN =
  /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](vscode|@kubernetes\/client-node|@langchain\/[^'"]*)['"]/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

test('nothing under src/core imports vscode, @kubernetes/client-node or @langchain/*', () => {
  const files = sources(join(root, 'src/core'));
  assert.ok(files.length > 5, 'src/core should hold the pure modules');
  const offenders = files.flatMap((file) => {
    const match = FORBIDDEN.exec(readFileSync(file, 'utf8'));
    return match ? [`${file.slice(root.length + 1)} imports ${match[1]}`] : [];
  });
  assert.deepEqual(offenders, []);
});

test('the purity check recognises every import form it guards against', () => {
  for (const line of [
    "import * as vscode from 'vscode';",
    'const k = require("@kubernetes/client-node")',
    "await import('@langchain/langgraph')",
  ]) {
    assert.match(line, FORBIDDEN);
  }
  assert.doesNotMatch("import { parse } from 'yaml';", FORBIDDEN);
});
