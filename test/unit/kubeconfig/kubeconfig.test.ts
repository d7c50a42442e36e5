import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveKubeconfigSources } from '../../../src/core/kubeconfig/sources';
import { KubeconfigError, contextProblem, mergeKubeconfigs, parseKubeconfig } from '../../../src/core/kubeconfig/merge';

const unix = { pathDelimiter: ':', pathSeparator: '/', home: '/home/dev' };

test('the setting wins over $KUBECONFIG and ~ is expanded', () => {
  assert.deepEqual(resolveKubeconfigSources({ ...unix, setting: '~/clusters/prod.yaml', envValue: '/a:/b' }), {
    origin: 'setting',
    paths: ['/home/dev/clusters/prod.yaml'],
  });
});

test('$KUBECONFIG lists several files in order, ignoring empty entries and duplicates', () => {
  assert.deepEqual(resolveKubeconfigSources({ ...unix, setting: '  ', envValue: '/a::/b:/a:' }), {
    origin: 'env',
    paths: ['/a', '/b'],
  });
});

test('without setting or $KUBECONFIG it falls back to ~/.kube/config', () => {
  assert.deepEqual(resolveKubeconfigSources({ ...unix, envValue: '' }), {
    origin: 'default',
    paths: ['/home/dev/.kube/config'],
  });
  assert.deepEqual(
    resolveKubeconfigSources({ pathDelimiter: ';', pathSeparator: '\\', home: 'C:\\Users\\dev' }).paths,
    ['C:\\Users\\dev\\.kube\\config'],
  );
});

const first = `
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev-cluster
  cluster: { server: https://dev.example:6443, certificate-authority: certs/ca.crt }
users:
- name: dev-user
  user: { client-certificate: ../pki/dev.crt, client-key: /abs/dev.key }
contexts:
- name: dev
  context: { cluster: dev-cluster, user: dev-user, namespace: team-a }
`;
const second = `
current-context: prod
clusters:
- name: dev-cluster
  cluster: { server: https://shadowed.example }
- name: prod-cluster
  cluster: { server: https://prod.example }
users:
- name: prod-user
  user:
    exec: { command: ./bin/get-token, apiVersion: client.authentication.k8s.io/v1 }
contexts:
- name: prod
  context: { cluster: prod-cluster, user: prod-user }
- name: broken
  context: { cluster: nowhere }
`;

test('merging follows kubectl: first definition and first current-context win', () => {
  const merged = mergeKubeconfigs([parseKubeconfig('/cfg/one', first), parseKubeconfig('/other/two', second)]);
  assert.equal(merged.currentContext, 'dev');
  assert.deepEqual(
    merged.contexts.map((c) => c.name),
    ['dev', 'prod', 'broken'],
  );
  const dev = merged.clusters.find((c) => c.name === 'dev-cluster')!;
  assert.equal((dev['cluster'] as Record<string, unknown>)['server'], 'https://dev.example:6443');
});

test('relative certificate paths and exec commands resolve against their own file', () => {
  const merged = mergeKubeconfigs([parseKubeconfig('/cfg/one', first), parseKubeconfig('/other/two', second)]);
  const cluster = merged.clusters[0]!['cluster'] as Record<string, unknown>;
  assert.equal(cluster['certificate-authority'], '/cfg/certs/ca.crt');
  const user = merged.users[0]!['user'] as Record<string, unknown>;
  assert.equal(user['client-certificate'], '/cfg/../pki/dev.crt');
  assert.equal(user['client-key'], '/abs/dev.key');
  const exec = (merged.users[1]!['user'] as Record<string, Record<string, unknown>>)['exec']!;
  assert.equal(exec['command'], '/other/./bin/get-token');
});

test('malformed kubeconfigs give an error naming the file and the problem', () => {
  assert.throws(
    () => parseKubeconfig('/k/bad', 'clusters: [\n  - name: x\n  oops'),
    (e: unknown) => e instanceof KubeconfigError && /\/k\/bad: not valid YAML/.test(e.message),
  );
  assert.throws(() => parseKubeconfig('/k/list', '- just\n- a list'), /expected a kubeconfig mapping/);
  assert.throws(() => parseKubeconfig('/k/noname', 'contexts:\n- context: {cluster: a}'), /contexts\[0\] has no name/);
  assert.throws(() => parseKubeconfig('/k/type', 'clusters: yes'), /"clusters" must be a list/);
  assert.deepEqual(parseKubeconfig('/k/empty', '').contexts, []);
});

test('a context pointing at missing pieces is explained', () => {
  const merged = mergeKubeconfigs([parseKubeconfig('/cfg/one', first), parseKubeconfig('/other/two', second)]);
  assert.equal(contextProblem(merged, 'dev'), undefined);
  assert.match(contextProblem(merged, 'broken')!, /cluster "nowhere", which is not defined/);
  assert.match(contextProblem(merged, 'ghost')!, /context "ghost" is not defined/);
});
