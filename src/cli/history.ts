// `nimbusguard history`: the ledger of the current context's cluster, newest first, with the
// success rates learned from the outcomes, and the Q-learning scaling policy's table when one was
// written. Reads files only; nothing is asked of the cluster.
import { existsSync } from 'node:fs';
import { Ledger } from '../agent/ledger';
import { QTableStore } from '../agent/qTableStore';
import type { ChangeRecord } from '../core/model/proposal';
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
  const qTable = qTableSummary(QTableStore.forCluster(api.server, api.caHash), changes);
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify({ context, server: api.server, ledger: ledger.file, changes: changes.map(changeJson), successRates: rates, ...(qTable ? { qTable } : {}), ...(skipped ? { skippedLines: skipped } : {}) }, null, 2)}\n`,
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
  if (qTable)
    process.stdout.write(
      'error' in qTable
        ? `Q-learning table ${qTable.file}: ${qTable.error}\n`
        : `Q-learning table ${qTable.file}: ${qTable.states} states, ${qTable.episodes} training episodes, ${qTable.learned} update(s) from outcomes\n`,
    );
  return 0;
}

/** The scaling policy's table of this cluster, when one was written (the qlearning policy was used). */
function qTableSummary(
  store: QTableStore,
  changes: readonly ChangeRecord[],
): { file: string; states: number; episodes: number; learned: number } | { file: string; error: string } | undefined {
  if (!existsSync(store.file)) return undefined;
  try {
    const agent = store.load();
    const learned = changes.filter((c) => c.outcome?.learned).length;
    return { file: store.file, states: agent.table.size, episodes: agent.episodes, learned };
  } catch (error) {
    return { file: store.file, error: error instanceof Error ? error.message : String(error) };
  }
}
