import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { KubeConfig } from '@kubernetes/client-node';
import { earlyListMeta, isLoopbackServer, listRaw } from '../../../src/cluster/rawList';

/** A kubeconfig whose cluster is the test's HTTP server on loopback. */
function configFor(server: Server): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      { name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true },
    ],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return kc;
}

test('an API server on this machine is one that is asked for uncompressed lists', () => {
  for (const server of ['https://127.0.0.1:6443', 'https://127.45.0.9', 'https://localhost:8443', 'https://[::1]:6443'])
    assert.equal(isLoopbackServer(server), true, server);
  for (const server of [
    'https://10.0.0.1:6443',
    'https://k8s.example.com',
    'https://127.0.0.1.example.com',
    'https://localhost.example.com',
    'not a url',
  ])
    assert.equal(isLoopbackServer(server), false, server);
});

test('lists from a loopback server page by page without compression; a gzip answer is still read', async () => {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    const url = new URL(req.url!, 'http://x');
    const second = url.searchParams.get('continue') === 'page-2';
    const body = JSON.stringify({
      kind: 'PodList',
      apiVersion: 'v1',
      metadata: { resourceVersion: '42', ...(second ? {} : { continue: 'page-2', remainingItemCount: 1 }) },
      items: [{ metadata: { name: second ? 'b' : 'a', namespace: 'team-a' } }],
    });
    // The second page comes compressed, as from a server that ignores the request: it must still parse.
    if (second)
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(gzipSync(body));
    else res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const kc = configFor(server);
    const list = await listRaw(kc, '/api/v1/pods', { pageSize: 1 });
    assert.deepEqual(
      list.items.map((i) => i.metadata?.name),
      ['a', 'b'],
    );
    assert.deepEqual(list.metadata, { resourceVersion: '42' });
    assert.equal(seen.length, 2);
    for (const headers of seen) {
      assert.equal(headers['accept-encoding'], 'identity');
      assert.equal(headers['authorization'], 'Bearer t');
    }
  } finally {
    server.close();
  }
});

test("a page's continue token is read from the head of its body, before the page has arrived", () => {
  const head =
    '{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7","continue":"abc=","remainingItemCount":3},"items":[{"metadata":{';
  assert.deepEqual(earlyListMeta(head), { resourceVersion: '7', continue: 'abc=', remainingItemCount: 3 });
  assert.deepEqual(
    earlyListMeta('{\n  "kind": "PodList",\n  "apiVersion": "v1",\n  "metadata": {"resourceVersion": "7"},'),
    {
      resourceVersion: '7',
    },
  );
  // Not yet complete, not a list's head, or an item's metadata: nothing is guessed.
  assert.equal(earlyListMeta('{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7","cont'), undefined);
  assert.equal(earlyListMeta('{"items":[{"metadata":{"name":"x"}}],"kind":"PodList"'), undefined);
  assert.equal(
    earlyListMeta('{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure"}')?.continue,
    undefined,
  );
});

test('the next page is asked for while the current one is still arriving, and the pages keep their order', async () => {
  const order: string[] = [];
  let releaseFirst: () => void = () => undefined;
  const secondAsked = new Promise<void>((resolve) => (releaseFirst = resolve));
  const item = (name: string) => JSON.stringify({ metadata: { name, namespace: 'team-a' } });
  const server = createServer((req, res) => {
    const token = new URL(req.url!, 'http://x').searchParams.get('continue');
    order.push(`asked ${token ?? 'first'}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    if (!token) {
      res.write(
        '{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"9","continue":"p2","remainingItemCount":2},"items":[',
      );
      // The rest of the first page waits for the second page's request (or 3 s, to fail clearly).
      void Promise.race([secondAsked, new Promise((r) => setTimeout(r, 3000))]).then(() => {
        order.push('first finished');
        res.end(`${item('a')}]}`);
      });
      return;
    }
    if (token === 'p2') releaseFirst();
    const last = token === 'p3';
    res.end(
      `{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"9"${last ? '' : ',"continue":"p3"'}},"items":[${item(last ? 'c' : 'b')}]}`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const kc = configFor(server);
    const list = await listRaw(kc, '/api/v1/pods', { pageSize: 1 });
    assert.deepEqual(
      list.items.map((i) => i.metadata?.name),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(
      order.filter((o) => o.startsWith('asked')),
      ['asked first', 'asked p2', 'asked p3'],
    );
    assert.ok(order.indexOf('asked p2') < order.indexOf('first finished'), order.join(', '));
  } finally {
    server.close();
  }
});
