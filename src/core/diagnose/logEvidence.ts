// Evidence from a container's log: the first error-looking line of the crashed run and the lines it
// ended with (the exit context). Log text is hostile: lines are bounded, control characters
// dropped, and nothing here reads more than the tail the cluster layer fetched.
import type { Evidence } from '../model/incident';
import type { LogTail, Pod } from '../model/resources';
import type { ClusterSnapshot } from '../model/snapshot';
import { clip, oneLine } from '../detect/support';
import { refOf } from '../model/objectRef';

const ERROR_WORDS =
  /\b(error|err|exception|fatal|panic|panicked|traceback|failed|failure|cannot|can't|could not|unable to|refused|denied|forbidden|not found|no such|invalid|timed? ?out|out of memory|segmentation fault|abort(ed)?|killed|unhandled|uncaught)\b|\blevel=(error|fatal|panic)\b|^E\d{4} /i;
const LINE_MAX = 300;
/** Lines of the end of the log kept as the exit context. */
export const EXIT_CONTEXT_LINES = 3;

export interface LogExcerpt {
  /** The first line that looks like an error; undefined when none does. */
  errorLine?: string;
  /** The last lines the process wrote. */
  exitContext: string[];
}

/** Strips the CRI/timestamp prefix some runtimes leave and bounds the line. */
function clean(line: string): string {
  const text = line.replace(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z?\s+(stdout|stderr)\s+[FP]\s+/, '');
  return oneLine(text, LINE_MAX);
}

export function logExcerpt(lines: readonly string[]): LogExcerpt {
  const cleaned = lines.map(clean).filter((l) => l !== '');
  const errorLine = cleaned.find((l) => ERROR_WORDS.test(l));
  return { ...(errorLine ? { errorLine } : {}), exitContext: cleaned.slice(-EXIT_CONTEXT_LINES) };
}

/** One evidence item for a log tail: what the run failed with, or why no log could be read. */
export function tailEvidence(tail: LogTail, pod: Pod, init: boolean): Evidence {
  const source = refOf('Pod', pod.meta);
  const run = `${tail.previous ? 'previous run' : 'last run'} of ${init ? 'init container ' : ''}`;
  if (tail.unavailable !== undefined) {
    return {
      kind: 'log',
      source,
      text: clip(`log of the ${run}${tail.container} not available: ${oneLine(tail.unavailable, 200)}`),
      reason: 'NoLogs',
      lastSeen: tail.fetchedAt,
    };
  }
  const { errorLine, exitContext } = logExcerpt(tail.lines);
  const context = exitContext.filter((l) => l !== errorLine);
  const text = errorLine
    ? `${run}${tail.container} logged: "${errorLine}"${context.length > 0 ? `; it ended with: ${context.map((l) => `"${l}"`).join(' ')}` : ''}`
    : exitContext.length > 0
      ? `${run}${tail.container} ended with: ${exitContext.map((l) => `"${l}"`).join(' ')}`
      : `${run}${tail.container} wrote nothing to its log`;
  return {
    kind: 'log',
    source,
    text: clip(text, 700),
    reason: errorLine ? 'LogError' : 'Log',
    // No count: the editor reads a count as "seen N times", and a log line is quoted once.
    lastSeen: tail.fetchedAt,
  };
}

/** Log evidence for a container across the incident's pods: the first pod whose tail was read. */
export function logEvidence(
  snapshot: ClusterSnapshot,
  pods: readonly Pod[],
  container: string | undefined,
): Evidence | undefined {
  if (container === undefined) return undefined;
  for (const pod of pods) {
    const tail = snapshot.logTailOf(pod.meta.namespace, pod.meta.name, container);
    if (tail)
      return tailEvidence(
        tail,
        pod,
        pod.initContainerStatuses.some((s) => s.name === container),
      );
  }
  return undefined;
}

/** The error line of the evidence, for a summary ("…: panic: nil map"); undefined without one. */
export function loggedError(e: Evidence | undefined): string | undefined {
  if (!e || e.reason !== 'LogError') return undefined;
  const m = /logged: "(.*?)"(;|$)/.exec(e.text);
  return m ? m[1] : undefined;
}
