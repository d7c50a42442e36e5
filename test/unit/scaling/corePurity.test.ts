import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

test('scaling and learning cores import neither vscode, the cluster client, langchain nor node built-ins', () => {
  for (const dir of ['src/core/scaling', 'src/core/learning']) {
    for (const file of readdirSync(join(root, dir)).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(root, dir, file), 'utf8');
      for (const match of text.matchAll(/from\s+'([^']+)'/g)) {
        const spec = match[1]!;
        assert.ok(spec.startsWith('.'), `${dir}/${file} imports ${spec}`);
      }
      assert.ok(text.split('\n').length < 400, `${dir}/${file} is over 400 lines`);
    }
  }
});
