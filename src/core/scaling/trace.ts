// Request-rate traces in the benchmark's CSV format: an optional `#` source line, a `t,rps` header,
// then one row per uniform step. Parsing takes text so the core never touches the file system.

export const TICK_SECONDS = 15;

export interface Trace {
  /** Where the data comes from (the `#` line without the marker), or '' when absent. */
  source: string;
  /** Seconds between rows; uniform within a trace. */
  stepSeconds: number;
  /** Start time of each row, in seconds from the trace start. */
  times: number[];
  /** Mean requests per second over `[t, t + step)` for each row. */
  rps: number[];
}

export class TraceFormatError extends Error {
  constructor(
    readonly origin: string,
    readonly line: number,
    detail: string,
  ) {
    super(`${origin}:${line}: ${detail}`);
    this.name = 'TraceFormatError';
  }
}

/** Parses a trace; every problem is reported with the 1-based line it was found on. */
export function parseTrace(text: string, origin = 'trace'): Trace {
  const lines = text.split(/\r?\n/);
  let source = '';
  let index = 0;
  while (index < lines.length && lines[index]!.trim() === '') index++;
  if (index < lines.length && lines[index]!.trimStart().startsWith('#')) {
    source = lines[index]!.trimStart().slice(1).trim();
    index++;
  }
  while (index < lines.length && lines[index]!.trim() === '') index++;
  if (index >= lines.length)
    throw new TraceFormatError(origin, Math.max(1, index), 'empty trace: expected a header "t,rps"');
  const header = lines[index]!.split(',').map((cell) => cell.trim().toLowerCase());
  if (header.length !== 2 || header[0] !== 't' || header[1] !== 'rps') {
    throw new TraceFormatError(origin, index + 1, `expected the header "t,rps", found "${lines[index]!.trim()}"`);
  }
  const times: number[] = [];
  const rps: number[] = [];
  for (let i = index + 1; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') {
      if (lines.slice(i + 1).every((rest) => rest.trim() === '')) break;
      throw new TraceFormatError(origin, i + 1, 'blank line inside the data');
    }
    const cells = raw.split(',');
    if (cells.length !== 2)
      throw new TraceFormatError(origin, i + 1, `expected 2 fields "t,rps", found ${cells.length}: "${raw}"`);
    const t = parseNumber(cells[0]!);
    const value = parseNumber(cells[1]!);
    if (t === undefined) throw new TraceFormatError(origin, i + 1, `t is not a number: "${cells[0]!.trim()}"`);
    if (value === undefined) throw new TraceFormatError(origin, i + 1, `rps is not a number: "${cells[1]!.trim()}"`);
    if (value < 0) throw new TraceFormatError(origin, i + 1, `rps must not be negative: ${value}`);
    if (times.length === 0 && t !== 0)
      throw new TraceFormatError(origin, i + 1, `the first row must start at t = 0, found ${t}`);
    if (times.length >= 2) {
      const step = times[1]! - times[0]!;
      const gap = t - times[times.length - 1]!;
      if (Math.abs(gap - step) > 1e-9) {
        throw new TraceFormatError(
          origin,
          i + 1,
          `non-uniform step: t = ${t} is ${gap} s after the previous row, the trace step is ${step} s`,
        );
      }
    } else if (times.length === 1 && t <= 0) {
      throw new TraceFormatError(origin, i + 1, `t must increase, found ${t} after 0`);
    }
    times.push(t);
    rps.push(value);
  }
  if (times.length === 0) throw new TraceFormatError(origin, index + 1, 'empty trace: a header but no rows');
  const stepSeconds = times.length >= 2 ? times[1]! - times[0]! : TICK_SECONDS;
  if (stepSeconds % TICK_SECONDS !== 0) {
    throw new TraceFormatError(
      origin,
      index + 3,
      `step ${stepSeconds} s is not a multiple of the ${TICK_SECONDS} s tick`,
    );
  }
  return { source, stepSeconds, times, rps };
}

function parseNumber(cell: string): number | undefined {
  const text = cell.trim();
  if (text === '' || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** The rate at every 15 s tick: a longer step holds its value for each tick it spans. */
export function traceTicks(trace: Trace): Float64Array {
  const perRow = trace.stepSeconds / TICK_SECONDS;
  const out = new Float64Array(trace.rps.length * perRow);
  for (let i = 0; i < trace.rps.length; i++) out.fill(trace.rps[i]!, i * perRow, (i + 1) * perRow);
  return out;
}
