// The masker hides every cluster name on the way out and restores it on the way back, without
// splitting longer names, tripping over regex metacharacters or touching placeholders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Masker, containerNamesInPath, escapeRegExp, isIPv4 } from '../../../src/agent/llm/masking';
import { NAMES, incident, rootCause } from './fixtures';

function allText(): string {
  const rc = rootCause();
  const inc = incident();
  return JSON.stringify({ rc, inc });
}

test('every structured and free-text name of the fixture is masked and comes back', () => {
  const masker = Masker.forRootCause(rootCause(), incident());
  const text = allText();
  const masked = masker.mask(text);
  for (const [what, name] of Object.entries(NAMES)) {
    assert.ok(!masked.includes(name), `${what} "${name}" leaked: ${masked}`);
  }
  assert.equal(masker.unmask(masked), text);
});

test('names get placeholders of their kind', () => {
  const masker = Masker.forRootCause(rootCause(), incident());
  const map = new Map(masker.entries());
  assert.equal(map.get(NAMES.namespace), '<ns-1>');
  assert.equal(map.get(NAMES.workload), '<workload-1>');
  assert.match(map.get(NAMES.pod)!, /^<pod-\d+>$/);
  assert.equal(map.get(NAMES.container), '<container-1>');
  assert.equal(map.get(NAMES.image), '<image-1>');
  assert.match(map.get(NAMES.registry)!, /^<host-\d+>$/);
  assert.match(map.get(NAMES.host)!, /^<host-\d+>$/);
  assert.equal(map.get(NAMES.node), '<node-1>');
  assert.equal(map.get(NAMES.ip), '<ip-1>');
});

test('the image tag stays readable, repository and registry do not', () => {
  const masker = Masker.forRootCause(rootCause(), incident());
  assert.equal(masker.mask(`pull "${NAMES.image}:1.4.3"`), 'pull "<image-1>:1.4.3"');
  const m = new Masker();
  m.addImage('localhost:5000/team/api@sha256:abc');
  assert.equal(m.mask('localhost:5000/team/api@sha256:abc'), '<image-1>@sha256:abc');
  assert.equal(m.mask('registry at localhost:5000 and localhost'), 'registry at <host-2> and <host-1>');
});

test('a name that is a substring of another never splits the longer one', () => {
  const m = new Masker();
  m.add('workload', 'api');
  m.add('pod', 'api-7d9f8b6c4-x2x9z');
  m.add('ns', 'api-prod');
  assert.equal(m.mask('api-7d9f8b6c4-x2x9z in api-prod runs api'), '<pod-1> in <ns-1> runs <workload-1>');
  // Registration order does not matter.
  const r = new Masker();
  r.add('pod', 'api-7d9f8b6c4-x2x9z');
  r.add('workload', 'api');
  assert.equal(r.mask('api-7d9f8b6c4-x2x9z/api'), '<pod-1>/<workload-1>');
});

test('names glued to letters stay, names glued to dashes or dots are masked (safer to over-mask)', () => {
  const m = new Masker();
  m.add('container', 'api');
  assert.equal(m.mask('apiVersion: apps/v1, rapid, api'), 'apiVersion: apps/v1, rapid, <container-1>');
  assert.equal(m.mask('api-7d9f8b6c4 and api.shop.svc'), '<container-1>-7d9f8b6c4 and <container-1>.shop.svc');
  assert.equal(m.unmask(m.mask('api-7d9f8b6c4')), 'api-7d9f8b6c4');
});

test('regex metacharacters in names are literal', () => {
  const m = new Masker();
  const weird = ['a.b', 'x+y', '(grp)', 'c[1]', 'd$', '^e', 'f|g', 'h\\i', 'j*k?', 'l{2}', 'm/n'];
  weird.forEach((name) => m.add('object', name));
  const text = weird.join(' ; ');
  const masked = m.mask(text);
  assert.equal(masked, weird.map((_, i) => `<object-${i + 1}>`).join(' ; '));
  assert.equal(m.unmask(masked), text);
  // "a.b" must not match "axb" as an unescaped dot would.
  assert.equal(m.mask('axb x++y'), 'axb x++y');
  for (const name of weird) assert.equal(new RegExp(`^${escapeRegExp(name)}$`).test(name), true);
});

test('placeholders are never masked again and unknown placeholders survive unmask', () => {
  const m = new Masker();
  m.add('ns', 'ns');
  m.add('workload', '1');
  assert.equal(m.add('object', '<ns-1>'), undefined);
  assert.equal(m.mask('ns 1'), '<ns-1> <workload-1>');
  assert.equal(m.mask(m.mask('ns 1')), '<ns-1> <workload-1>');
  assert.equal(m.unmask('<ns-1> <workload-1> <ns-9> <bogus-1>'), 'ns 1 <ns-9> <bogus-1>');
});

test('the same name registered twice keeps its first placeholder; well-known namespaces stay', () => {
  const m = new Masker();
  assert.equal(m.add('workload', 'web'), '<workload-1>');
  assert.equal(m.add('pod', 'web'), '<workload-1>');
  assert.equal(m.add('ns', 'default'), undefined);
  assert.equal(m.add('ns', 'kube-system'), undefined);
  assert.equal(m.mask('web in default'), '<workload-1> in default');
});

test('free text: URLs, host:port, dotted hostnames and IPv4 are found, field paths and versions are not', () => {
  const m = new Masker();
  m.scanText('Get "https://db.internal.example:5432/health": dial tcp 172.20.1.9:5432: connect: connection refused');
  m.scanText('lookup redis-master.cache.svc.cluster.local on 10.96.0.10:53: no such host');
  m.scanText('spec.template.spec.containers[name=api].resources.limits.memory is 128Mi; version 1.2.3.4.5; go1.22.1');
  m.scanText('Post "http://[fd00::1]:8080/hook"');
  const names = m
    .entries()
    .map(([name]) => name)
    .sort();
  assert.deepEqual(
    names,
    ['10.96.0.10', '172.20.1.9', 'db.internal.example', 'fd00::1', 'redis-master.cache.svc.cluster.local'].sort(),
  );
});

test('masking a JSON-like value touches string values only, never keys or numbers', () => {
  const m = new Masker();
  m.add('object', 'summary');
  m.add('workload', 'web');
  const value = { summary: 'web summary', n: 3, list: ['web', true], nested: { web: 'x' } };
  assert.deepEqual(m.maskValue(value), {
    summary: '<workload-1> <object-1>',
    n: 3,
    list: ['<workload-1>', true],
    nested: { web: 'x' },
  });
  assert.deepEqual(m.unmaskValue(m.maskValue(value)), value);
});

test('an empty masker is the identity', () => {
  const m = new Masker();
  assert.equal(m.mask('anything <ns-1>'), 'anything <ns-1>');
  assert.equal(m.size, 0);
});

test('helpers: container names in paths and IPv4 validation', () => {
  assert.deepEqual(containerNamesInPath('spec.template.spec.initContainers[name=db-migrate].image'), ['db-migrate']);
  assert.deepEqual(containerNamesInPath('spec.containers[name="api"].env[name=API_KEY]'), ['api']);
  assert.deepEqual(containerNamesInPath('spec.ephemeralContainers[name=debug].image'), ['debug']);
  assert.deepEqual(containerNamesInPath('spec.containers[name=api'), []);
  assert.equal(isIPv4('10.0.0.1'), true);
  assert.equal(isIPv4('256.0.0.1'), false);
  assert.equal(isIPv4('1.2.3'), false);
});

test('objects named after their kind in rule and kubelet messages are found; prose is left alone', () => {
  const m = new Masker();
  m.scanText('ConfigMap app-config does not exist, so container api cannot start');
  m.scanText('MountVolume.SetUp failed for volume "cfg" : secret "db-creds" not found');
  m.scanText('restore Service shop/ledger-svc; Deployment/orders-web is affected');
  m.scanText('image ghcr.io/acme/pay:1 (host ghcr.io, repository acme/pay, tag 1)');
  m.scanText('imagePullSecrets: regcred, ghcr-token');
  m.scanText('2 pods on the node: orders-web-5f7-abcde, cache-0');
  m.scanText('Affected: shop/orders-web, shop/cache.');
  m.scanText('Check that the Secret exists and the Service it calls is ready; the pod is failing; node 0/3 available');
  const names = new Map(m.entries());
  for (const [name, kind] of [
    ['app-config', 'object'],
    ['cfg', 'object'],
    ['db-creds', 'object'],
    ['shop', 'ns'],
    ['ledger-svc', 'object'],
    ['orders-web', 'workload'],
    ['ghcr.io', 'host'],
    ['acme/pay', 'image'],
    ['ghcr.io/acme/pay', 'image'],
    ['regcred', 'object'],
    ['ghcr-token', 'object'],
    ['orders-web-5f7-abcde', 'pod'],
    ['cache-0', 'pod'],
  ] as const) {
    assert.match(names.get(name) ?? 'missing', new RegExp(`^<${kind}-\\d+>$`), name);
  }
  for (const word of ['exists', 'it', 'is', 'api', '0/3', 'available', 'the'])
    assert.equal(names.has(word), false, word);
});

test('a fix that targets another object masks that object too', () => {
  const rc = rootCause();
  rc.fixes.push({
    summary: 'Raise maxReplicas',
    target: { kind: 'HorizontalPodAutoscaler', namespace: 'payments-prod', name: 'checkout-hpa' },
  });
  const masker = Masker.forRootCause(rc, incident());
  assert.equal(masker.mask('checkout-hpa'), '<workload-2>');
});

test('names after the routing, budget and storage kinds in rule summaries are masked', () => {
  const masker = new Masker();
  const text =
    'IngressClass nginx-internal does not exist; PDB db-main allows no disruption; PersistentVolume pv-0042 is Failed; ' +
    'GatewayClass eg-public is not accepted; Gateway edge-1 is not programmed; HTTPRoute store-v2 attaches to it';
  masker.scanText(text);
  const masked = masker.mask(text);
  for (const name of ['nginx-internal', 'db-main', 'pv-0042', 'eg-public', 'edge-1', 'store-v2'])
    assert.ok(!masked.includes(name), `${name} leaked: ${masked}`);
  assert.equal(masker.unmask(masked), text);
});
