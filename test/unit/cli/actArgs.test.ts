// `fix` reads KIND/NAME as kubectl does and takes -n like kubectl; anything else is a clear usage error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseObjectArg } from '../../../src/cli/objectArg';
import { expandShortFlags } from '../../../src/cli/fix';

test('KIND/NAME: kubectl spellings of a kind, errors for the rest', () => {
  for (const text of ['deployment/web', 'deploy/web', 'Deployment/web', 'deployments.apps/web', 'DEPLOY/web'])
    assert.deepEqual(parseObjectArg(text), { kind: 'Deployment', name: 'web' }, text);
  assert.deepEqual(parseObjectArg('svc/checkout'), { kind: 'Service', name: 'checkout' });
  assert.deepEqual(parseObjectArg('hpa/catalog'), { kind: 'HorizontalPodAutoscaler', name: 'catalog' });
  assert.match((parseObjectArg('web') as { error: string }).error, /not KIND\/NAME/);
  assert.match((parseObjectArg('widget/web') as { error: string }).error, /unknown kind "widget"/);
  assert.match((parseObjectArg('deploy/We\u001b[2J') as { error: string }).error, /not a valid object name/);
  assert.match((parseObjectArg('deploy/a/b') as { error: string }).error, /not KIND\/NAME/);
  assert.match((parseObjectArg(undefined) as { error: string }).error, /name the object/);
});

test('-n and -y are the long flags', () => {
  assert.deepEqual(expandShortFlags(['deploy/web', '-n', 'shop', '-y', '-n=x']), [
    'deploy/web',
    '--namespace',
    'shop',
    '--yes',
    '--namespace=x',
  ]);
});

test('--policy and --objective name a scaling policy and objective and go with --type Scaling only (usage errors, exit 2, before any connection)', async () => {
  const { runFix } = await import('../../../src/cli/fix');
  const written: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    assert.equal(await runFix(['deploy/web', '-n', 'shop', '--type', 'Scaling', '--policy', 'greedy']), 2);
    assert.equal(await runFix(['deploy/web', '-n', 'shop', '--policy', 'qlearning']), 2);
    assert.equal(await runFix(['deploy/web', '-n', 'shop', '--type', 'Scaling', '--objective', 'speed']), 2);
    assert.equal(await runFix(['deploy/web', '-n', 'shop', '--objective', 'cost']), 2);
  } finally {
    process.stderr.write = write;
  }
  assert.match(written[0]!, /--policy greedy is not a scaling policy \(predictive, qlearning\)/);
  assert.match(written[1]!, /--policy applies only with --type Scaling/);
  assert.match(written[2]!, /--objective speed is not a scaling objective \(availability, cost\)/);
  assert.match(written[3]!, /--objective applies only with --type Scaling/);
});
