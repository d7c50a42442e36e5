// Reads the tail of one container's log for an incident: bounded in lines, bytes and time, and
// never for pods that are not in an incident (the monitor decides which). Forbidden, a pod without
// logs (no previous run, a runtime that keeps none) and a slow kubelet all become "unavailable"
// with the reason, never an exception.
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { LogRequest, LogTail } from '../core/model/resources';
import { describeClusterError } from './errors';

export const LOG_TAIL_LINES = 40;
export const LOG_LIMIT_BYTES = 16 * 1024;
export const LOG_TIMEOUT_MS = 5_000;
const LINE_MAX = 1000;

/** Why a log read came back empty-handed, in words a person reads in the evidence. */
function unavailable(error: unknown): string {
  const info = describeClusterError(error);
  if (info.status === 403) return 'Forbidden: the current user may not read pod logs (pods/log)';
  if (info.status === 400 || info.status === 404)
    return `no logs (${info.message.replace(/^The API server answered \d+: /, '').replace(/\.$/, '')})`;
  return info.message;
}

export async function readLogTail(
  kc: KubeConfig,
  req: LogRequest,
  now: () => Date = () => new Date(),
): Promise<LogTail> {
  const base = {
    namespace: req.namespace,
    pod: req.pod,
    container: req.container,
    previous: req.previous,
    restartCount: req.restartCount,
  };
  const api = kc.makeApiClient(CoreV1Api);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${LOG_TIMEOUT_MS / 1000}s`)), LOG_TIMEOUT_MS);
    });
    const text = await Promise.race([
      api.readNamespacedPodLog({
        name: req.pod,
        namespace: req.namespace,
        container: req.container,
        previous: req.previous,
        tailLines: LOG_TAIL_LINES,
        limitBytes: LOG_LIMIT_BYTES,
      }),
      timeout,
    ]);
    const lines = (typeof text === 'string' ? text : '')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-LOG_TAIL_LINES)
      .map((l) => (l.length > LINE_MAX ? `${l.slice(0, LINE_MAX - 1)}…` : l));
    return {
      ...base,
      lines,
      ...(lines.length === 0 ? { unavailable: 'no logs (the log is empty)' } : {}),
      fetchedAt: now().toISOString(),
    };
  } catch (error) {
    return { ...base, lines: [], unavailable: unavailable(error), fetchedAt: now().toISOString() };
  } finally {
    if (timer) clearTimeout(timer);
  }
}
