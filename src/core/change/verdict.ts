// The verdict from the checks: `fail` if any check failed, `inconclusive` if one that ran lacked
// data, else `pass`. A skipped check never lowers it; no checks at all is never a pass.
import { CHECK_NAMES, type CheckName, type CheckResult, type VerdictResult } from '../model/proposal';

export function judgeVerdict(checks: readonly CheckResult[]): VerdictResult {
  if (checks.some((c) => c.result === 'fail')) return 'fail';
  if (checks.some((c) => c.result === 'inconclusive')) return 'inconclusive';
  return checks.some((c) => c.result === 'pass') ? 'pass' : 'inconclusive';
}

/** Checks in the contract's fixed order. */
export function orderChecks(checks: readonly CheckResult[]): CheckResult[] {
  const rank = (n: CheckName) => CHECK_NAMES.indexOf(n);
  return [...checks].sort((a, b) => rank(a.name) - rank(b.name));
}

export function skipped(name: CheckName, reason: string): CheckResult {
  return { name, result: 'skipped', detail: reason, evidence: [], warnings: [], durationMs: 0 };
}

/** What the verdict leaves unknown, for the second confirmation of an inconclusive verdict. */
export function unknowns(checks: readonly CheckResult[]): string[] {
  return checks.filter((c) => c.result === 'inconclusive').map((c) => `${c.name}: ${c.detail}`);
}

/** A verdict older than this, or from another context, is verified again at apply. */
export const VERDICT_MAX_AGE_MS = 10 * 60_000;
