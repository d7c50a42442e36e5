// `nimbusguard bench scaling ...`: scores scaling policies on request-rate traces under the rules
// of the scaling benchmark (../shared/bench/scaling-benchmark.md).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { HpaPolicy } from '../core/scaling/hpaPolicy';
import { PredictivePolicy } from '../core/scaling/predictivePolicy';
import { QLearningPolicy } from '../core/scaling/qlearningPolicy';
import { QLearningAgent } from '../core/learning/qLearningAgent';
import { trainOnSynthetic } from '../core/scaling/qTraining';
import { Q_ACTIONS } from '../core/scaling/qlearningPolicy';
import type { ScalingPolicy } from '../core/scaling/policy';
import { barVerdict, scoreTimeline, roundScores, SCORE_KEYS, type BarVerdict, type Scores } from '../core/scaling/scores';
import { EVALUATION_SHAPES, syntheticTrace } from '../core/scaling/syntheticTraces';
import { capacityPerReplica, oracleTimeline, simulate, type Timeline } from '../core/scaling/simulator';
import { formatTimeline, parseTimeline, replayTimeline } from '../core/scaling/timeline';
import { parseTrace, traceTicks } from '../core/scaling/trace';

export const POLICIES = ['predictive', 'hpa', 'qlearning'] as const;
const ALIASES: Record<string, string> = { default: 'predictive' };

const USAGE = `usage:
  nimbusguard bench scaling --trace FILE [--policy predictive|hpa|qlearning|oracle] [--timeline OUT.csv] [--json] [--qtable FILE]
  nimbusguard bench scaling --replay TIMELINE.csv [--json]
  nimbusguard bench scaling --all [--traces DIR] [--synthetic] [--json] [--qtable FILE]
  nimbusguard bench scaling --synthetic [--json]

--all prints, per trace, whether the default (predictive) policy meets the bar against the HPA: at most
half its sloViolationPct (none where it has none) at no more than its replicaHours. --synthetic scores
predictive and hpa on every synthetic shape (one week of 15 s ticks, seed 11) with the same verdict.
`;

/** One week of ticks per synthetic shape, and the seed, for --synthetic. */
export const SYNTHETIC_TICKS = 7 * 5760;
export const SYNTHETIC_SEED = 11;

export interface BarRow {
  trace: string;
  predictive: Scores;
  hpa: Scores;
  verdict: BarVerdict;
}

/** The bar verdict for every trace that has both a predictive and an hpa row. */
export function barRows(rows: readonly { trace: string; policy: string; scores: Scores }[]): BarRow[] {
  const out: BarRow[] = [];
  for (const row of rows) {
    if (row.policy !== 'predictive') continue;
    const hpa = rows.find((r) => r.trace === row.trace && r.policy === 'hpa');
    if (hpa) out.push({ trace: row.trace, predictive: row.scores, hpa: hpa.scores, verdict: barVerdict(row.scores, hpa.scores) });
  }
  return out;
}

function formatBar(rows: readonly BarRow[]): string {
  const met = rows.filter((r) => r.verdict.met).length;
  const lines = rows.map((r) => `  ${r.trace}: ${r.verdict.text}`);
  return `bar (predictive vs hpa), met on ${met} of ${rows.length}:\n${lines.join('\n')}\n`;
}

/** Predictive and HPA on every synthetic shape, scored as the shared traces are. */
export function syntheticRows(): { trace: string; policy: string; scores: Scores }[] {
  const rows: { trace: string; policy: string; scores: Scores }[] = [];
  for (const shape of EVALUATION_SHAPES) {
    const rps = syntheticTrace(shape, SYNTHETIC_TICKS, SYNTHETIC_SEED);
    for (const policy of ['predictive', 'hpa']) rows.push({ trace: `synthetic:${shape}`, policy, scores: scoreWithOracle(runPolicy(rps, policy)) });
  }
  return rows;
}

interface Args {
  flags: Set<string>;
  values: Map<string, string>;
}

function parseArgs(argv: string[]): Args {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const takesValue = new Set(['--trace', '--policy', '--timeline', '--replay', '--traces', '--qtable', '--save-qtable']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) values.set(arg.slice(0, eq), arg.slice(eq + 1));
    else if (takesValue.has(arg)) {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      values.set(arg, value);
    } else if (arg.startsWith('--')) flags.add(arg);
    else throw new Error(`unexpected argument "${arg}"`);
  }
  return { flags, values };
}

/** The repository root: the nearest folder above the running script that holds package.json. */
function repoRoot(): string {
  let dir = resolve(dirname(process.argv[1] ?? '.'));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return process.cwd();
}

export function loadTraceFile(path: string): Float64Array {
  if (!existsSync(path)) throw new Error(`trace not found: ${path}`);
  return traceTicks(parseTrace(readFileSync(path, 'utf8'), path));
}

/** Q-learning agent: loaded from a JSON table, or trained on synthetic traces only (never the scored trace). */
function qAgentSource(values: Map<string, string>): () => QLearningAgent {
  const path = values.get('--qtable');
  let json: string | undefined;
  if (path) json = readFileSync(path, 'utf8');
  else json = JSON.stringify(trainOnSynthetic().toJSON());
  const save = values.get('--save-qtable');
  if (save) writeFileSync(save, json);
  return () => QLearningAgent.fromJSON(JSON.parse(json), Q_ACTIONS);
}

export function runPolicy(rps: Float64Array, name: string, agent?: () => QLearningAgent): Timeline {
  const capacity = capacityPerReplica(rps);
  if (name === 'oracle') return oracleTimeline(rps, capacity);
  let policy: ScalingPolicy;
  if (name === 'predictive') policy = new PredictivePolicy();
  else if (name === 'hpa') policy = new HpaPolicy();
  else if (name === 'qlearning') policy = new QLearningPolicy((agent ?? (() => trainOnSynthetic()))());
  else throw new Error(`unknown policy "${name}" (expected ${[...POLICIES, 'oracle'].join(', ')})`);
  return simulate(rps, policy, capacity);
}

function scoreWithOracle(run: Timeline): Scores {
  return roundScores(scoreTimeline(run));
}

function formatTable(rows: { trace: string; policy: string; scores: Scores; seconds?: number }[]): string {
  const header = ['trace', 'policy', 'ticks', ...SCORE_KEYS];
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const row of rows) {
    lines.push(`| ${[row.trace, row.policy, row.scores.ticks, ...SCORE_KEYS.map((k) => row.scores[k])].join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

function out(text: string): void {
  process.stdout.write(text);
}

async function scaling(argv: string[]): Promise<number> {
  const { flags, values } = parseArgs(argv);
  const json = flags.has('--json');
  if (flags.has('--help') || flags.has('-h')) {
    out(USAGE);
    return 0;
  }
  const replay = values.get('--replay');
  if (replay) {
    const recorded = parseTimeline(readFileSync(replay, 'utf8'), replay);
    const result = replayTimeline(recorded);
    const scores = scoreWithOracle(result.run);
    if (json) out(`${JSON.stringify({ timeline: replay, consistent: result.mismatchCount === 0, mismatches: result.mismatchCount, scores }, null, 2)}\n`);
    else {
      out(formatTable([{ trace: basename(replay), policy: 'replay', scores }]));
      if (result.mismatchCount > 0) {
        const first = result.mismatches[0]!;
        out(`${result.mismatchCount} ticks disagree with the replay; first at t = ${first.t}: recorded pods/ready ${first.recorded.join('/')}, replayed ${first.replayed.join('/')}\n`);
      } else out('pods and ready match the replay at every tick\n');
    }
    return result.mismatchCount === 0 ? 0 : 1;
  }
  if (flags.has('--all')) {
    const dir = values.get('--traces') ?? join(repoRoot(), '..', 'shared', 'traces');
    if (!existsSync(dir)) throw new Error(`traces folder not found: ${dir} (use --traces DIR)`);
    const files = readdirSync(dir).filter((f) => f.endsWith('.csv')).sort();
    if (files.length === 0) throw new Error(`no .csv traces in ${dir}`);
    const started = Date.now();
    const agent = qAgentSource(values);
    const rows: { trace: string; policy: string; scores: Scores; seconds: number }[] = [];
    for (const file of files) {
      const rps = loadTraceFile(join(dir, file));
      for (const policy of [...POLICIES, 'oracle']) {
        const t0 = Date.now();
        const scores = scoreWithOracle(runPolicy(rps, policy, agent));
        rows.push({ trace: file.replace(/\.csv$/, ''), policy, scores, seconds: (Date.now() - t0) / 1000 });
      }
    }
    const bar = barRows(rows);
    const synthetic = flags.has('--synthetic') ? syntheticRows() : [];
    const syntheticBar = barRows(synthetic);
    const seconds = (Date.now() - started) / 1000;
    if (json) out(`${JSON.stringify({ seconds, rows, bar, synthetic, syntheticBar }, null, 2)}\n`);
    else {
      out(`${formatTable(rows)}\n${formatBar(bar)}`);
      if (synthetic.length > 0) out(`\n${formatTable(synthetic)}\n${formatBar(syntheticBar)}`);
      out(`\n${rows.length + synthetic.length} runs in ${seconds.toFixed(1)} s\n`);
    }
    return 0;
  }
  if (flags.has('--synthetic')) {
    const started = Date.now();
    const synthetic = syntheticRows();
    const bar = barRows(synthetic);
    const seconds = (Date.now() - started) / 1000;
    if (json) out(`${JSON.stringify({ seconds, rows: synthetic, bar }, null, 2)}\n`);
    else out(`${formatTable(synthetic)}\n${formatBar(bar)}\n${synthetic.length} runs in ${seconds.toFixed(1)} s\n`);
    return 0;
  }
  const trace = values.get('--trace');
  if (!trace) {
    process.stderr.write(USAGE);
    return 2;
  }
  const requested = values.get('--policy') ?? 'predictive';
  const policy = ALIASES[requested] ?? requested;
  const rps = loadTraceFile(trace);
  const run = runPolicy(rps, policy, policy === 'qlearning' ? qAgentSource(values) : undefined);
  const scores = scoreWithOracle(run);
  const timeline = values.get('--timeline');
  if (timeline) writeFileSync(timeline, formatTimeline(run));
  if (json) out(`${JSON.stringify({ trace, policy, scores }, null, 2)}\n`);
  else out(formatTable([{ trace: basename(trace).replace(/\.csv$/, ''), policy, scores }]));
  return 0;
}

export async function runBench(argv: string[]): Promise<number> {
  const [suite, ...rest] = argv;
  if (suite === 'scaling') return scaling(rest);
  process.stderr.write(suite ? `nimbusguard bench: unknown suite "${suite}"\n${USAGE}` : USAGE);
  return 2;
}
