// The per-tick timeline CSV a run writes (`t,rps,desired,pods,ready`) and its independent replay:
// from `desired` alone the benchmark rules recompute pods, ready and every score.
import { capacityPerReplica, replayPolicy, simulate, type Timeline } from './simulator';
import { TICK_SECONDS } from './trace';

export const TIMELINE_HEADER = 't,rps,desired,pods,ready';

export function formatTimeline(run: Timeline): string {
  const rows = [TIMELINE_HEADER];
  for (let i = 0; i < run.rps.length; i++) {
    rows.push(`${i * TICK_SECONDS},${run.rps[i]!},${run.desired[i]!},${run.pods[i]!},${run.ready[i]!}`);
  }
  return `${rows.join('\n')}\n`;
}

export function parseTimeline(text: string, origin = 'timeline'): Omit<Timeline, 'capacity'> {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (lines.length === 0) throw new Error(`${origin}:1: empty timeline: expected the header "${TIMELINE_HEADER}"`);
  if (lines[0]!.trim().replace(/\s/g, '') !== TIMELINE_HEADER)
    throw new Error(`${origin}:1: expected the header "${TIMELINE_HEADER}"`);
  const n = lines.length - 1;
  const rps = new Float64Array(n);
  const desired = new Int32Array(n);
  const pods = new Int32Array(n);
  const ready = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const cells = lines[i + 1]!.split(',').map((c) => c.trim());
    const values = cells.map(Number);
    if (cells.length !== 5 || cells.some((c) => c === '') || values.some((v) => !Number.isFinite(v))) {
      throw new Error(`${origin}:${i + 2}: expected 5 numbers "${TIMELINE_HEADER}", found "${lines[i + 1]}"`);
    }
    if (values[0] !== i * TICK_SECONDS)
      throw new Error(`${origin}:${i + 2}: expected t = ${i * TICK_SECONDS}, found ${values[0]}`);
    rps[i] = values[1]!;
    desired[i] = values[2]!;
    pods[i] = values[3]!;
    ready[i] = values[4]!;
  }
  if (n === 0) throw new Error(`${origin}:2: the timeline has a header but no rows`);
  return { rps, desired, pods, ready };
}

export interface ReplayResult {
  run: Timeline;
  /** Ticks whose recorded pods or ready differ from the replay (first few). */
  mismatches: { t: number; recorded: [number, number]; replayed: [number, number] }[];
  mismatchCount: number;
}

/** Replays the `desired` column under the benchmark rules and compares the recorded pods and ready. */
export function replayTimeline(recorded: Omit<Timeline, 'capacity'>): ReplayResult {
  const capacity = capacityPerReplica(recorded.rps);
  const run = simulate(recorded.rps, replayPolicy(recorded.desired), capacity);
  const mismatches: ReplayResult['mismatches'] = [];
  let mismatchCount = 0;
  for (let i = 0; i < run.rps.length; i++) {
    if (run.pods[i] !== recorded.pods[i] || run.ready[i] !== recorded.ready[i]) {
      mismatchCount++;
      if (mismatches.length < 5) {
        mismatches.push({
          t: i * TICK_SECONDS,
          recorded: [recorded.pods[i]!, recorded.ready[i]!],
          replayed: [run.pods[i]!, run.ready[i]!],
        });
      }
    }
  }
  return { run, mismatches, mismatchCount };
}
