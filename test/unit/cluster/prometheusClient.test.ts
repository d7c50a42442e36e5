import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrometheusClient, endpointProblem, headerOf } from '../../../src/cluster/prometheusClient';

function serve(
  handler: (req: IncomingMessage, body: string) => [number, string, Record<string, string>?],
): Promise<{ url: string; server: Server; seen: IncomingMessage[] }> {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push(req);
      const [status, text, headers] = handler(req, body);
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(text);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen }),
    ),
  );
}

test('URLs and headers are checked before anything is sent', () => {
  assert.match(endpointProblem('localhost:9090') ?? '', /not supported|not a URL/);
  assert.match(endpointProblem('ftp://x') ?? '', /not supported/);
  assert.match(endpointProblem('http://u:p@host') ?? '', /auth header/);
  assert.equal(endpointProblem('https://host/prometheus'), undefined);
  assert.deepEqual(headerOf('Authorization: Bearer abc'), ['Authorization', 'Bearer abc']);
  assert.deepEqual(headerOf('X-Scope-OrgID: team-a'), ['X-Scope-OrgID', 'team-a']);
  assert.deepEqual(headerOf('Bearer abc'), ['Authorization', 'Bearer abc']);
  assert.equal(headerOf('  '), undefined);
});

test("posts the query under the URL's path with the header; refuses to follow redirects", async () => {
  const { url, server, seen } = await serve((req, body) => {
    if (req.url === '/prom/api/v1/query') {
      assert.equal(new URLSearchParams(body).get('query'), 'up');
      return [
        200,
        JSON.stringify({
          status: 'success',
          data: { resultType: 'vector', result: [{ metric: {}, value: [5, '1'] }] },
        }),
      ];
    }
    return [302, '', { location: 'http://elsewhere.example/' }];
  });
  try {
    const ok = await new PrometheusClient({ url: `${url}/prom/`, authHeader: 'X-Token: t1' }).instant('up', 5);
    assert.deepEqual(ok, { ok: true, points: [{ t: 5, value: 1 }], series: 1 });
    assert.equal(seen[0]!.headers['x-token'], 't1');
    const redirected = await new PrometheusClient({ url: `${url}/other`, authHeader: 'X-Token: t1' }).range(
      'up',
      0,
      15,
      15,
    );
    assert.equal(!redirected.ok && redirected.error.kind, 'unreachable');
    assert.match(!redirected.ok ? redirected.error.message : '', /redirects to http:\/\/elsewhere\.example/);
    assert.equal(seen.length, 2, 'the redirect was not followed');
  } finally {
    server.close();
  }
});

test('a server that never answers times out with a clear message', async () => {
  const server = createServer(() => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const r = await new PrometheusClient(
      { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
      300,
    ).instant('up', 1);
    assert.equal(!r.ok && r.error.kind, 'unreachable');
    assert.match(!r.ok ? r.error.message : '', /no answer within 300 ms\./);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
