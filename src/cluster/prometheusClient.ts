// Talks to a Prometheus server's query API: instant queries for the live tick, range queries for
// history. Only transport lives here (timeouts, size limit, no redirects, the optional auth header);
// what the answer means is decided by the pure parser in core/metrics.
import { fetch } from 'undici';
import { parsePromResponse, quote, type PromResult } from '../core/metrics/promResponse';

export interface PrometheusEndpoint {
  /** The server's root, e.g. `http://prometheus.example:9090` or `https://host/prometheus`. */
  url: string;
  /** `Name: value` (e.g. `Authorization: Bearer …`), or a bare value sent as `Authorization`. */
  authHeader?: string;
}

/** Longest response body read; a demand series is far smaller. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Checks a configured URL; returns the reason it cannot be used, or undefined. */
export function endpointProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${quote(url, 80)}" is not a URL (expected e.g. http://localhost:9090).`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return `${parsed.protocol} is not supported; use http:// or https://.`;
  if (parsed.username || parsed.password)
    return 'Put credentials in the auth header (NimbusGuard: Set Prometheus Auth Header…), not in the URL.';
  return undefined;
}

/** The header to send, split into name and value; undefined when there is none or it is not a valid header. */
export function headerOf(raw: string | undefined): [string, string] | undefined {
  const text = raw?.trim();
  if (!text) return undefined;
  const colon = text.indexOf(':');
  const [name, value] =
    colon > 0 && /^[A-Za-z0-9-]+$/.test(text.slice(0, colon).trim())
      ? [text.slice(0, colon).trim(), text.slice(colon + 1).trim()]
      : ['Authorization', text];
  if (/[\r\n]/.test(value)) return undefined;
  return [name, value];
}

export class PrometheusClient {
  constructor(
    readonly endpoint: PrometheusEndpoint,
    private readonly timeoutMs = 10_000,
  ) {}

  /** The query evaluated at `time` (epoch seconds). */
  instant(query: string, time: number): Promise<PromResult> {
    return this.post('/api/v1/query', { query, time: String(time) });
  }

  /** The query from `start` to `end` (epoch seconds) every `step` seconds. */
  range(query: string, start: number, end: number, step: number): Promise<PromResult> {
    return this.post('/api/v1/query_range', { query, start: String(start), end: String(end), step: String(step) });
  }

  private async post(path: string, params: Record<string, string>): Promise<PromResult> {
    const problem = endpointProblem(this.endpoint.url);
    if (problem) return { ok: false, error: { kind: 'unreachable', message: problem } };
    const base = new URL(this.endpoint.url);
    const url = new URL(base.pathname.replace(/\/+$/, '') + path, base);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'content-type': 'application/x-www-form-urlencoded',
    };
    const auth = headerOf(this.endpoint.authHeader);
    if (auth) headers[auth[0]] = auth[1];
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      // No redirects: an auth header must not follow one to another place.
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body: new URLSearchParams(params).toString(),
        redirect: 'manual',
        signal,
      });
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel();
        const to = response.headers.get('location');
        return {
          ok: false,
          error: {
            kind: 'unreachable',
            message: `${base.origin} redirects${to ? ` to ${quote(to, 120)}` : ''}; set nimbusguard.prometheus.url to the server's own address.`,
          },
        };
      }
      const body = await readLimited(response.body, MAX_BODY_BYTES);
      if (body === undefined)
        return {
          ok: false,
          error: {
            kind: 'malformed',
            message: `The answer from ${base.origin} is larger than ${MAX_BODY_BYTES >> 20} MB.`,
          },
        };
      return parsePromResponse(response.status, body, response.headers.get('content-type') ?? '');
    } catch (error) {
      return {
        ok: false,
        error: {
          kind: 'unreachable',
          message: `Prometheus at ${base.origin} cannot be reached: ${transportMessage(error, this.timeoutMs)}`,
        },
      };
    }
  }
}

async function readLimited(body: AsyncIterable<Uint8Array> | null, limit: number): Promise<string | undefined> {
  if (!body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function transportMessage(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError')
    return `no answer within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}.`;
  const code = e?.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused (is it running, and on this port?).';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve.';
  const text = quote(e?.cause?.message ?? e?.message ?? String(error), 160);
  if (/^bad port$/i.test(text)) return 'the port is on the list fetch refuses to use (choose another port).';
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
