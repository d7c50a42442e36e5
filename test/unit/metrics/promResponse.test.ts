import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePromResponse, quote } from '../../../src/core/metrics/promResponse';

const ok = (data: unknown) => JSON.stringify({ status: 'success', data });

test('an instant vector of several series is summed into one point', () => {
  const r = parsePromResponse(
    200,
    ok({
      resultType: 'vector',
      result: [
        { metric: { pod: 'a' }, value: [1700000000, '1.5'] },
        { metric: { pod: 'b' }, value: [1700000000, '2.25'] },
      ],
    }),
  );
  assert.deepEqual(r, { ok: true, points: [{ t: 1700000000, value: 3.75 }], series: 2 });
});

test('a range result is summed per timestamp, series with missing steps included', () => {
  const r = parsePromResponse(
    200,
    ok({
      resultType: 'matrix',
      result: [
        {
          metric: { pod: 'a' },
          values: [
            [100, '1'],
            [115, '2'],
            [130, '3'],
          ],
        },
        {
          metric: { pod: 'b' },
          values: [
            [115, '10'],
            [130, '10'],
          ],
        },
      ],
    }),
  );
  assert.ok(r.ok);
  assert.deepEqual(r.points, [
    { t: 100, value: 1 },
    { t: 115, value: 12 },
    { t: 130, value: 13 },
  ]);
  assert.equal(r.series, 2);
});

test('a scalar is one point', () => {
  assert.deepEqual(parsePromResponse(200, ok({ resultType: 'scalar', result: [5, '42'] })), {
    ok: true,
    points: [{ t: 5, value: 42 }],
    series: 1,
  });
});

test('NaN, Inf and non-numeric values are dropped; only such values is an empty result', () => {
  const r = parsePromResponse(
    200,
    ok({
      resultType: 'matrix',
      result: [
        {
          metric: {},
          values: [
            [1, 'NaN'],
            [2, '+Inf'],
            [3, '4'],
            [4, 'x'],
            [5, 6],
            ['7', '1'],
          ],
        },
      ],
    }),
  );
  assert.ok(r.ok);
  assert.deepEqual(r.points, [{ t: 3, value: 4 }]);
  const nan = parsePromResponse(200, ok({ resultType: 'vector', result: [{ metric: {}, value: [1, 'NaN'] }] }));
  assert.equal(nan.ok, false);
  assert.equal(!nan.ok && nan.error.kind, 'empty');
  assert.match(!nan.ok ? nan.error.message : '', /NaN or Inf/);
});

test('no series is an empty result with a message that says why', () => {
  const r = parsePromResponse(200, ok({ resultType: 'vector', result: [] }));
  assert.equal(!r.ok && r.error.kind, 'empty');
  assert.match(!r.ok ? r.error.message : '', /matched no series/);
});

test('a PromQL syntax error is a bad query, quoted on one line', () => {
  const body = JSON.stringify({
    status: 'error',
    errorType: 'bad_data',
    error: 'invalid parameter "query": 1:6: parse error:\nunexpected "}"',
  });
  const r = parsePromResponse(400, body);
  assert.equal(!r.ok && r.error.kind, 'badQuery');
  assert.match(
    !r.ok ? r.error.message : '',
    /^The PromQL query was rejected: invalid parameter "query": 1:6: parse error: unexpected/,
  );
  assert.doesNotMatch(!r.ok ? r.error.message : '', /\n/);
});

test('server errors, auth refusals and timeouts are told apart', () => {
  const timeout = parsePromResponse(
    503,
    JSON.stringify({ status: 'error', errorType: 'timeout', error: 'query timed out' }),
  );
  assert.equal(!timeout.ok && timeout.error.kind, 'server');
  assert.match(!timeout.ok ? timeout.error.message : '', /timeout.*query timed out/);
  for (const status of [401, 403]) {
    const r = parsePromResponse(status, 'Unauthorized');
    assert.equal(!r.ok && r.error.kind, 'unauthorized');
    assert.match(!r.ok ? r.error.message : '', /auth header/);
  }
  const gateway = parsePromResponse(502, '<html>Bad Gateway</html>', 'text/html');
  assert.equal(!gateway.ok && gateway.error.kind, 'server');
});

test('garbage is malformed, never a crash and never a number', () => {
  const bodies: [number, string, string?][] = [
    [200, '<!doctype html><title>Grafana</title>', 'text/html'],
    [200, ''],
    [200, '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":'],
    [200, 'null'],
    [200, '[]'],
    [200, '42'],
    [200, JSON.stringify({ status: 'ok' })],
    [200, JSON.stringify({ status: 'success' })],
    [200, JSON.stringify({ status: 'success', data: { resultType: 'vector', result: {} } })],
    [200, JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: 'x' }] } })],
    [200, JSON.stringify({ status: 'success', data: { resultType: 'vector', result: ['x'] } })],
    [
      200,
      JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: 'x', value: [1, '1'] }] } }),
    ],
    [200, JSON.stringify({ status: 'success', data: { resultType: 'weird', result: [] } })],
    [
      200,
      JSON.stringify({
        status: 'success',
        data: { resultType: 'vector', result: Array.from({ length: 10_001 }, () => ({ metric: {}, value: [1, '1'] })) },
      }),
    ],
    [
      200,
      JSON.stringify({
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [{ metric: {}, values: Array.from({ length: 100_001 }, (_, i) => [i, '1']) }],
        },
      }),
    ],
  ];
  for (const [status, body, type] of bodies) {
    const r = parsePromResponse(status, body, type);
    assert.equal(r.ok, false, body.slice(0, 80));
    assert.equal(!r.ok && r.error.kind, 'malformed', body.slice(0, 80));
    assert.ok(!r.ok && r.error.message.length < 400);
  }
  const html = parsePromResponse(200, '<html><body>login</body></html>', 'text/html');
  assert.match(!html.ok ? html.error.message : '', /HTML page/);
  const str = parsePromResponse(200, ok({ resultType: 'string', result: [1, 'hello'] }));
  assert.equal(!str.ok && str.error.kind, 'badQuery');
});

test('a value string longer than any number is refused, not parsed', () => {
  const r = parsePromResponse(200, ok({ resultType: 'vector', result: [{ metric: {}, value: [1, '1'.repeat(65)] }] }));
  assert.equal(!r.ok && r.error.kind, 'empty');
});

test('quoted server text is flattened to one line and clipped', () => {
  assert.equal(quote('a\nb\u0007c\u2028d'), 'a b c d');
  assert.equal(quote('x'.repeat(500)).length, 200);
  assert.equal(quote({ toString: () => 'obj' }), 'obj');
});
