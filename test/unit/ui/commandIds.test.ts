// The command ids in code and in package.json are the same set, and code names a command only
// through COMMANDS (so a renamed or new command cannot be half-declared).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../../../src/ui/commandIds';

const root = join(import.meta.dirname, '../../../..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  contributes: {
    commands: { command: string }[];
    menus?: Record<string, { command?: string }[]>;
    viewsWelcome?: { contents: string }[];
  };
};
const ids = new Set<string>(Object.values(COMMANDS));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

test('package.json declares exactly the commands of COMMANDS', () => {
  const declared = manifest.contributes.commands.map((c) => c.command);
  assert.equal(new Set(declared).size, declared.length, 'no command is declared twice');
  assert.deepEqual([...declared].sort(), [...ids].sort());
});

test('menus and welcome links refer only to declared commands', () => {
  const inMenus = Object.values(manifest.contributes.menus ?? {})
    .flat()
    .map((m) => m.command)
    .filter((c): c is string => c !== undefined);
  const inLinks = (manifest.contributes.viewsWelcome ?? []).flatMap((v) =>
    [...v.contents.matchAll(/\(command:(nimbusguard\.[A-Za-z]+)/g)].map((m) => m[1]!),
  );
  assert.ok(inMenus.length > 0 && inLinks.length > 0);
  assert.deepEqual(
    [...inMenus, ...inLinks].filter((c) => c.startsWith('nimbusguard.') && !ids.has(c)),
    [],
  );
});

test('code names a command only through COMMANDS', () => {
  const literal = new RegExp(`['"\`](${[...ids].map((id) => id.replace('.', '\\.')).join('|')})['"\`]`);
  const offenders = [...sources(join(root, 'src')), ...sources(join(root, 'webview'))]
    .filter((f) => !f.endsWith(join('ui', 'commandIds.ts')))
    .flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .map((line, i) => [f, i, line] as const),
    )
    .filter(([, , line]) => literal.test(line))
    .map(([f, i, line]) => `${f.slice(root.length + 1)}:${i + 1}: ${line.trim()}`);
  assert.deepEqual(offenders, []);
});
