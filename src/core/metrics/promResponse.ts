// The Prometheus HTTP API's JSON (`/api/v1/query`, `/api/v1/query_range`) read as untrusted input:
// every field is checked, values that are not finite numbers are dropped, and every way it can go
// wrong becomes one clear, typed error. Several series are summed into one demand series.

/** One point of a demand series: `t` in epoch seconds. */
export interface DemandPoint {
  t: number;
  value: number;
}

export type PromErrorKind =
  /** The server could not be reached (DNS, refused, timeout, TLS). */
  | 'unreachable'
  /** 401/403: the auth header is missing or wrong. */
  | 'unauthorized'
  /** The server rejected the PromQL (`errorType: bad_data`, HTTP 400/422). */
  | 'badQuery'
  /** The query ran but matched no series (or only NaN / Inf values). */
  | 'empty'
  /** The answer is not the Prometheus API's JSON (a proxy's HTML page, truncated body…). */
  | 'malformed'
  /** Any other failure the server reported (HTTP 5xx, `errorType: timeout`…). */
  | 'server';

export interface PromError {
  kind: PromErrorKind;
  message: string;
}

export type PromResult = { ok: true; points: DemandPoint[]; series: number } | { ok: false; error: PromError };

/** Longest server text quoted in a message. */
const MAX_QUOTE = 200;
/** More series or points than this is not a demand series; refuse instead of summing it. */
const MAX_SERIES = 10_000;
const MAX_POINTS = 100_000;

const fail = (kind: PromErrorKind, message: string): PromResult => ({ ok: false, error: { kind, message } });

/** Text from the server made safe to show on one line. */
export function quote(text: unknown, max = MAX_QUOTE): string {
  const s = typeof text === 'string' ? text : String(text);

  const flat = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A `[time, "value"]` pair, or undefined when either part is not a finite number. */
function pointOf(pair: unknown): DemandPoint | undefined {
  if (!Array.isArray(pair) || pair.length !== 2) return undefined;
  const [t, v] = pair as [unknown, unknown];
  if (typeof t !== 'number' || !Number.isFinite(t)) return undefined;
  if (typeof v !== 'string' || v.length > 64) return undefined;
  const value = Number(v);
  if (!Number.isFinite(value)) return undefined;
  return { t, value };
}

/**
 * Reads a response of the query API. `status` is the HTTP status, `body` the text as received.
 * Instant vectors give one point (the sum of the series at the evaluation time), matrices one
 * point per timestamp (the sum of every series that has a value there), scalars one point.
 */
export function parsePromResponse(status: number, body: string, contentType = ''): PromResult {
  if (status === 401 || status === 403)
    return fail(
      'unauthorized',
      `HTTP ${status}: the Prometheus server refused the request; check the auth header (NimbusGuard: Set Prometheus Auth Header…).`,
    );
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    const what = /html/i.test(contentType) || /^\s*</.test(body) ? 'an HTML page' : 'text that is not JSON';
    if (status >= 500) return fail('server', `HTTP ${status} from the Prometheus server: ${quote(body) || 'no body'}`);
    return fail(
      'malformed',
      `HTTP ${status}: the server answered with ${what}, not the Prometheus API (is the URL the server's root, e.g. http://host:9090?): ${quote(body, 80)}`,
    );
  }
  if (!isRecord(json) || (json['status'] !== 'success' && json['status'] !== 'error')) {
    return fail(
      'malformed',
      `HTTP ${status}: the JSON is not a Prometheus API response (no "status": "success" or "error").`,
    );
  }
  if (json['status'] === 'error') {
    const type = typeof json['errorType'] === 'string' ? json['errorType'] : '';
    const text = quote(json['error'] ?? 'no message');
    if (type === 'bad_data' || status === 400 || status === 422)
      return fail('badQuery', `The PromQL query was rejected: ${text}`);
    return fail(
      'server',
      `The Prometheus server failed the query (${type ? quote(type, 40) : `HTTP ${status}`}): ${text}`,
    );
  }
  if (status < 200 || status > 299) return fail('server', `HTTP ${status} from the Prometheus server.`);
  const data = json['data'];
  if (!isRecord(data) || typeof data['resultType'] !== 'string')
    return fail('malformed', 'The response has no data.resultType.');
  const type = data['resultType'];
  const result = data['result'];
  switch (type) {
    case 'scalar': {
      const p = pointOf(result);
      return p
        ? { ok: true, points: [p], series: 1 }
        : fail('empty', 'The query returned a scalar that is not a finite number.');
    }
    case 'vector':
    case 'matrix':
      break;
    case 'string':
      return fail(
        'badQuery',
        'The query returns a string, not a number: it must return an instant vector, a range of one or a scalar.',
      );
    default:
      return fail('malformed', `Unknown resultType "${quote(type, 20)}".`);
  }
  if (!Array.isArray(result)) return fail('malformed', 'data.result is not a list.');
  if (result.length === 0)
    return fail(
      'empty',
      'The query matched no series: no such metric for these pods yet, or the labels in the query do not match.',
    );
  if (result.length > MAX_SERIES)
    return fail(
      'malformed',
      `The query returned ${result.length} series; a demand query must return a few (sum them in PromQL).`,
    );
  const sums = new Map<number, number>();
  let seen = 0;
  let points = 0;
  let vectorSum = 0;
  let vectorTime = -Infinity;
  for (const item of result) {
    if (!isRecord(item) || (item['metric'] !== undefined && !isRecord(item['metric'])))
      return fail('malformed', 'A series in data.result is not an object with "metric".');
    if (type === 'vector') {
      const p = pointOf(item['value']);
      if (!p) continue;
      seen++;
      vectorSum += p.value;
      vectorTime = Math.max(vectorTime, p.t);
    } else {
      const values = item['values'];
      if (!Array.isArray(values)) return fail('malformed', 'A series of the range result has no "values" list.');
      points += values.length;
      if (points > MAX_POINTS) return fail('malformed', `The range result holds more than ${MAX_POINTS} points.`);
      let any = false;
      for (const pair of values) {
        const p = pointOf(pair);
        if (!p) continue;
        any = true;
        sums.set(p.t, (sums.get(p.t) ?? 0) + p.value);
      }
      if (any) seen++;
    }
  }
  if (type === 'vector' && seen > 0) return { ok: true, points: [{ t: vectorTime, value: vectorSum }], series: seen };
  if (sums.size === 0)
    return fail(
      'empty',
      'The query matched series, but none has a finite value (NaN or Inf, e.g. a rate over too short a window).',
    );
  const sorted = [...sums].map(([t, value]) => ({ t, value })).sort((a, b) => a.t - b.t);
  return { ok: true, points: sorted, series: seen };
}
