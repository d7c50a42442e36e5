// Outcomes as rewards: each judged change scores 1 (resolved), 0 (unresolved, inconclusive) or -1
// (regressed); the success rate per (cause category × fix kind) ranks later proposals. Rollbacks
// and rejections carry no reward.
import type { ChangeRecord, FixKind, OutcomeResult } from '../model/proposal';

export function rewardOf(result: OutcomeResult): number {
  return result === 'resolved' ? 1 : result === 'regressed' ? -1 : 0;
}

export interface RateRow {
  category: string;
  fixKind: FixKind;
  samples: number;
  resolved: number;
  /** Share of judged changes that resolved their incident (0..1). */
  rate: number;
  /** Mean reward (-1..1). */
  meanReward: number;
}

export interface SuccessRates {
  rateOf(category: string, fixKind: FixKind): { rate: number; samples: number } | undefined;
  rows(): RateRow[];
}

/** Success rates from the ledger's changes (only applied fixes with a judged fix outcome count). */
export function successRates(changes: readonly ChangeRecord[]): SuccessRates {
  const table = new Map<string, RateRow>();
  for (const c of changes) {
    const result = c.outcome?.result;
    if (c.rollbackOf || !result || result === 'restored' || result === 'not-restored' || result === 'inconclusive')
      continue;
    const key = `${c.proposal.category}\u0000${c.proposal.fixKind}`;
    const row = table.get(key) ?? {
      category: c.proposal.category,
      fixKind: c.proposal.fixKind,
      samples: 0,
      resolved: 0,
      rate: 0,
      meanReward: 0,
    };
    row.meanReward = (row.meanReward * row.samples + rewardOf(result)) / (row.samples + 1);
    row.samples += 1;
    if (result === 'resolved') row.resolved += 1;
    row.rate = row.resolved / row.samples;
    table.set(key, row);
  }
  return {
    rateOf: (category, fixKind) => {
      const row = table.get(`${category}\u0000${fixKind}`);
      return row ? { rate: row.rate, samples: row.samples } : undefined;
    },
    rows: () => [...table.values()].sort((a, b) => b.samples - a.samples || a.category.localeCompare(b.category)),
  };
}
