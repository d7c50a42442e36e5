// Turns whatever a Kubernetes call threw into one sentence a person can act on.
export interface ClusterErrorInfo {
  status?: number;
  code?: string;
  message: string;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function statusMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const message = field(parsed, 'message');
  return typeof message === 'string' && message ? message : undefined;
}

export function describeClusterError(error: unknown, server?: string): ClusterErrorInfo {
  const where = server ? ` at ${server}` : '';
  const rawStatus = field(error, 'statusCode') ?? field(error, 'code');
  const status = typeof rawStatus === 'number' ? rawStatus : undefined;
  const cause = field(error, 'cause');
  const rawCode = field(cause, 'code') ?? field(error, 'code');
  const code = typeof rawCode === 'string' ? rawCode : undefined;
  const detail = statusMessage(field(error, 'body'));

  if (status === 401)
    return {
      status,
      message: `The cluster${where} rejected the credentials (401 Unauthorized). Log in again or pick another context.`,
    };
  if (status === 403) return { status, message: `Forbidden (403): ${detail ?? 'the current user may not do this'}.` };
  if (status === 404) return { status, message: `Not found (404)${detail ? `: ${detail}` : ''}.` };
  if (status !== undefined && status >= 500)
    return { status, message: `The API server${where} failed (${status})${detail ? `: ${detail}` : ''}.` };
  if (status !== undefined)
    return { status, message: `The API server${where} answered ${status}${detail ? `: ${detail}` : ''}.` };

  switch (code) {
    case 'ECONNREFUSED':
      return { code, message: `Nothing is listening${where} (connection refused). Is the cluster running?` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { code, message: `The cluster's host name${where} does not resolve.` };
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { code, message: `Connecting to the cluster${where} timed out.` };
    case 'ECONNRESET':
      return { code, message: `The connection to the cluster${where} was reset.` };
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'CERT_HAS_EXPIRED':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return { code, message: `The cluster's TLS certificate${where} is not trusted (${code}).` };
    default:
      break;
  }
  const message = error instanceof Error ? error.message : String(error);
  const causeMessage = field(cause, 'message');
  const text = typeof causeMessage === 'string' && causeMessage && message === 'fetch failed' ? causeMessage : message;
  return { ...(code ? { code } : {}), message: `Could not reach the cluster${where}: ${text.split('\n')[0]}` };
}

export function isForbidden(error: unknown): boolean {
  return describeClusterError(error).status === 403;
}

export function isMissingResource(error: unknown): boolean {
  return describeClusterError(error).status === 404;
}
