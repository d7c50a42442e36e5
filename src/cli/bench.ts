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
import { roundScores, scoreTimeline, SCORE_KEYS, type Scores } from '../core/scaling/scores';
import { barRow, barSummary, familyBarRows, formatBar, type BarRow } from '../core/scaling/barReport';
import { HELD_ASIDE_SEEDS, TUNING_SEEDS } from '../core/scaling/syntheticTraces';
import { capacityPerReplica, oracleTimeline, simulate, type Timeline } from '../core/scaling/simulator';
import { formatTimeline, parseTimeline, replayTimeline } from '../core/scaling/timeline';
import { parseTrace, traceTicks } from '../core/scaling/trace';

export const POLICIES = ['predictive', 'hpa', 'qlearning'] as const;
/** `default` is the policy the extension proposes with: the predictive one. */
const ALIASES: Record<string, string> = { default: 'predictive' };

const USAGE = `usage:
  nimbusguard bench scaling --trace FILE [--policy default|predictive|hpa|qlearning|oracle] [--timeline OUT.csv] [--json] [--qtable FILE]
  nimbusguard bench scaling --replay TIMELINE.csv [--json]
  nimbusguard bench scaling --all [--traces DIR] [--policy default|predictive|qlearning] [--synthetic] [--json] [--qtable FILE]
  nimbusguard bench scaling --synthetic [--seeds held|tuning|N,N,...] [--policy ...] [--json]

--all scores every policy on every trace in DIR (default: the shared traces), then prints the bar per
trace: the policy's viol, seenViol and replica-hours beside the HPA's and the oracle's, and whether it
has no more violations, no more violations on demand already seen, at no more replica-hours than the
HPA; and the stretch figure, the mean of viol / the HPA's viol where the HPA has 20 or more violating
ticks (goal <= 0.7). --synthetic prints the same bar on every synthetic family (bursts, flash crowds,
diurnal with noise, steps, slow ramps, low-rate counts) for the tuning seeds (--seeds held: the held-aside
seeds 9101-9110, or a list).
`;

function resolvePolicy(requested: string | undefined): string {
  const name = requested ?? 'predictive';
  return ALIASES[name] ?? name;
}

function policyFactory(name: string): () => ScalingPolicy {
  if (name === 'predictive') return () => new PredictivePolicy();
  if (name === 'hpa') return () => new HpaPolicy();
  if (name === 'qlearning') {
    const json = JSON.stringify(trainOnSynthetic().toJSON());
    return () => new QLearningPolicy(QLearningAgent.fromJSON(JSON.parse(json), Q_ACTIONS));
  }
  throw new Error(`unknown policy "${name}" for the bar (expected default, predictive, hpa or qlearning)`);
}

function parseSeeds(value: string | undefined): readonly number[] {
  if (value === undefined || value === 'tuning') return TUNING_SEEDS;
  if (value === 'held') return HELD_ASIDE_SEEDS;
  const seeds = value.split(',').map((v) => Number(v.trim()));
  if (seeds.length === 0 || seeds.some((v) => !Number.isInteger(v)))
    throw new Error(`--seeds expects held, tuning or a list of integers, found "${value}"`);
  return seeds;
}

function barJson(rows: readonly BarRow[]): { rows: readonly BarRow[]; summary: ReturnType<typeof barSummary> } {
  return { rows, summary: barSummary(rows) };
}

interface Args {
  flags: Set<string>;
  values: Map<string, string>;
}

function parseArgs(argv: string[]): Args {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const takesValue = new Set([
    '--trace',
    '--policy',
    '--timeline',
    '--replay',
    '--traces',
    '--qtable',
    '--save-qtable',
    '--seeds',
  ]);
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

/**
 * The shared traces: `$NIMBUSGUARD_TRACES` when set, else the first `shared/traces` folder beside the
 * repository or one of the folders above it (a git worktree may sit a level deeper than the clone).
 */
export function sharedTraces(): string {
  const fromEnv = process.env['NIMBUSGUARD_TRACES'];
  if (fromEnv) return fromEnv;
  let dir = resolve(dirname(process.argv[1] ?? '.'));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'shared', 'traces');
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return join(process.cwd(), '..', 'shared', 'traces');
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
    if (json)
      out(
        `${JSON.stringify({ timeline: replay, consistent: result.mismatchCount === 0, mismatches: result.mismatchCount, scores }, null, 2)}\n`,
      );
    else {
      out(formatTable([{ trace: basename(replay), policy: 'replay', scores }]));
      if (result.mismatchCount > 0) {
        const first = result.mismatches[0]!;
        out(
          `${result.mismatchCount} ticks disagree with the replay; first at t = ${first.t}: recorded pods/ready ${first.recorded.join('/')}, replayed ${first.replayed.join('/')}\n`,
        );
      } else out('pods and ready match the replay at every tick\n');
    }
    return result.mismatchCount === 0 ? 0 : 1;
  }
  const policyName = resolvePolicy(values.get('--policy'));
  if (flags.has('--all')) {
    const dir = values.get('--traces') ?? sharedTraces();
    if (!existsSync(dir)) throw new Error(`traces folder not found: ${dir} (use --traces DIR)`);
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.csv'))
      .sort();
    if (files.length === 0) throw new Error(`no .csv traces in ${dir}`);
    const started = Date.now();
    const agent = qAgentSource(values);
    const rows: { trace: string; policy: string; scores: Scores; seconds: number }[] = [];
    const bar: BarRow[] = [];
    const judged = policyFactory(policyName);
    for (const file of files) {
      const rps = loadTraceFile(join(dir, file));
      const trace = file.replace(/\.csv$/, '');
      for (const policy of [...POLICIES, 'oracle']) {
        const t0 = Date.now();
        const scores = scoreWithOracle(runPolicy(rps, policy, agent));
        rows.push({ trace, policy, scores, seconds: (Date.now() - t0) / 1000 });
      }
      bar.push(barRow(trace, rps, judged));
    }
    const synthetic = flags.has('--synthetic') ? familyBarRows(parseSeeds(values.get('--seeds')), judged) : [];
    const seconds = (Date.now() - started) / 1000;
    if (json) out(`${JSON.stringify({ seconds, rows, bar: barJson(bar), synthetic: barJson(synthetic) }, null, 2)}\n`);
    else {
      out(`${formatTable(rows)}\n${formatBar(bar, policyName)}`);
      if (synthetic.length > 0) out(`\n${formatBar(synthetic, policyName)}`);
      out(`\n${rows.length + 3 * (bar.length + synthetic.length)} runs in ${seconds.toFixed(1)} s\n`);
    }
    return 0;
  }
  if (flags.has('--synthetic')) {
    const started = Date.now();
    const synthetic = familyBarRows(parseSeeds(values.get('--seeds')), policyFactory(policyName));
    const seconds = (Date.now() - started) / 1000;
    if (json) out(`${JSON.stringify({ seconds, synthetic: barJson(synthetic) }, null, 2)}\n`);
    else out(`${formatBar(synthetic, policyName)}\n${3 * synthetic.length} runs in ${seconds.toFixed(1)} s\n`);
    return 0;
  }
  const trace = values.get('--trace');
  if (!trace) {
    process.stderr.write(USAGE);
    return 2;
  }
  const policy = policyName;
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
