// The Prometheus endpoint the user configured: its URL checked before use, and the one optional
// auth header parsed. Pure, so the settings UI can validate without loading the HTTP client.
import { quote } from './promResponse';

export interface PrometheusEndpoint {
  /** The server's root, e.g. `http://prometheus.example:9090` or `https://host/prometheus`. */
  url: string;
  /** `Name: value` (e.g. `Authorization: Bearer …`), or a bare value sent as `Authorization`. */
  authHeader?: string;
}

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
