// `nimbusguard history`: the ledger of the current context's cluster, newest first, with the
// success rates learned from the outcomes. Reads the file only; nothing is asked of the cluster.
import { Ledger } from '../agent/ledger';
import { successRates } from '../core/learning/outcomeStats';
import { parseArgs, UsageError } from './args';
import { apiFor } from './actSession';
import { changeJson, historyLine } from './actOutput';

export const HISTORY_USAGE = 'history [--json] [--context C] [--kubeconfig FILE]';

const SPEC = { json: 'boolean', context: 'string', kubeconfig: 'string', help: 'boolean' } as const;

export async function runHistory(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, SPEC);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`nimbusguard history: ${error.message}\nusage: nimbusguard ${HISTORY_USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if (args.help || args._.length > 0) {
    (args.help ? process.stdout : process.stderr).write(`usage: nimbusguard ${HISTORY_USAGE}\n`);
    return args.help ? 0 : 2;
  }
  const { api, context } = await apiFor(args.kubeconfig, args.context);
  const ledger = Ledger.forCluster(api.server, api.caHash);
  const { entries, skipped } = ledger.entries();
  const changes = ledger.changes();
  const rates = successRates(changes).rows();
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify({ context, server: api.server, ledger: ledger.file, changes: changes.map(changeJson), successRates: rates, ...(skipped ? { skippedLines: skipped } : {}) }, null, 2)}\n`,
    );
    return 0;
  }
  if (skipped) process.stderr.write(`note: ${skipped} unreadable line(s) in ${ledger.file} were skipped\n`);
  if (entries.length === 0) {
    process.stdout.write(`No changes recorded for ${api.server}.\n`);
    return 0;
  }
  for (const c of changes) process.stdout.write(`${historyLine(c)}\n`);
  if (rates.length > 0) {
    process.stdout.write('success rates (cause × fix):\n');
    for (const r of rates)
      process.stdout.write(`  ${r.category} × ${r.fixKind}: ${Math.round(r.rate * 100)}% of ${r.samples}\n`);
  }
  return 0;
}
