// The bar a default policy must meet, per trace: its viol, seenViol and replica-hours beside the HPA's and
// the oracle's, the verdict, and the stretch figure over the traces where the HPA violates.
import { HpaPolicy } from './hpaPolicy';
import type { ScalingPolicy } from './policy';
import { barScores, barVerdict, stretchRatio, type BarScores, type BarVerdict } from './scores';
import { capacityPerReplica, oracleTimeline, simulate } from './simulator';
import { familyTrace, TRACE_FAMILIES } from './syntheticTraces';

export interface BarRow {
  trace: string;
  policy: BarScores;
  hpa: BarScores;
  oracle: BarScores;
  verdict: BarVerdict;
}

/** Scores `policy` (a fresh one per run), the HPA and the oracle on one trace under the bar. */
export function barRow(trace: string, rps: Float64Array, policy: () => ScalingPolicy): BarRow {
  const capacity = capacityPerReplica(rps);
  const own = barScores(simulate(rps, policy(), capacity));
  const hpa = barScores(simulate(rps, new HpaPolicy(), capacity));
  const oracle = barScores(oracleTimeline(rps, capacity));
  return { trace, policy: own, hpa, oracle, verdict: barVerdict(own, hpa) };
}

/** The bar on every synthetic family for each of `seeds`, named `family:seed`. */
export function familyBarRows(seeds: readonly number[], policy: () => ScalingPolicy): BarRow[] {
  const rows: BarRow[] = [];
  for (const family of TRACE_FAMILIES)
    for (const seed of seeds) rows.push(barRow(`${family}:${seed}`, familyTrace(family, seed), policy));
  return rows;
}

export interface BarSummary {
  met: number;
  runs: number;
  /** The traces where the bar does not hold. */
  failed: string[];
  /** Mean of viol / the HPA's viol where the HPA has at least 20 violating ticks (goal <= 0.7). */
  stretch: number | undefined;
  stretchRuns: number;
}

export const STRETCH_MIN_HPA_VIOL = 20;
export const STRETCH_GOAL = 0.7;

export function barSummary(rows: readonly BarRow[]): BarSummary {
  return {
    met: rows.filter((r) => r.verdict.met).length,
    runs: rows.length,
    failed: rows.filter((r) => !r.verdict.met).map((r) => r.trace),
    stretch: stretchRatio(rows, STRETCH_MIN_HPA_VIOL),
    stretchRuns: rows.filter((r) => r.hpa.viol >= STRETCH_MIN_HPA_VIOL).length,
  };
}

/** A markdown table of the rows and a closing summary line. */
export function formatBar(rows: readonly BarRow[], policyName: string): string {
  const header = [
    'trace',
    `${policyName} viol`,
    'seenViol',
    'replica-h',
    'hpa viol',
    'seenViol',
    'replica-h',
    'oracle viol',
    'replica-h',
    'viol/hpa',
    'verdict',
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`];
  for (const r of rows) {
    const ratio = r.hpa.viol > 0 ? (r.policy.viol / r.hpa.viol).toFixed(2) : '-';
    const cells = [
      r.trace,
      r.policy.viol,
      r.policy.seenViol,
      r.policy.replicaHours.toFixed(2),
      r.hpa.viol,
      r.hpa.seenViol,
      r.hpa.replicaHours.toFixed(2),
      r.oracle.viol,
      r.oracle.replicaHours.toFixed(2),
      ratio,
      r.verdict.text,
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  const s = barSummary(rows);
  const stretch =
    s.stretch === undefined
      ? `no trace where the HPA has ${STRETCH_MIN_HPA_VIOL}+ violating ticks`
      : `${s.stretch.toFixed(3)} over ${s.stretchRuns} traces (goal <= ${STRETCH_GOAL})`;
  const failed = s.failed.length > 0 ? `; not met on ${s.failed.join(', ')}` : '';
  return `${lines.join('\n')}\n\nbar (${policyName} vs hpa) met on ${s.met} of ${s.runs}${failed}\nstretch: mean viol / HPA viol = ${stretch}\n`;
}
