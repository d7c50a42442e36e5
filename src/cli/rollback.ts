// `nimbusguard rollback CHANGE_ID`: restores exactly the before-image of a recorded change through
// the same verification and confirmation. Exit codes: 0 restored; 1 refused (drift without --force,
// not the newest change, or admission rejects it); 2 unknown change id or error; 3 not confirmed.
import { Ledger } from '../agent/ledger';
import { parseArgs, UsageError } from './args';
import {
  apiFor,
  askYesNo,
  interactive,
  openActSession,
  parseWait,
  progressPrinter,
  type ActSession,
} from './actSession';
import { changeJson, imageLines, outcomeJson, proposalJson, verdictJson } from './actOutput';
import { expandShortFlags } from './fix';
import { printable } from './scanOutput';

export const ROLLBACK_USAGE =
  'rollback CHANGE_ID [--yes] [--force] [--wait SECONDS] [--json] [--confirm-context NAME] [--context C] [--kubeconfig FILE]';

const SPEC = {
  yes: 'boolean',
  force: 'boolean',
  wait: 'string',
  json: 'boolean',
  'confirm-context': 'string',
  context: 'string',
  kubeconfig: 'string',
  timeout: 'string',
  help: 'boolean',
} as const;

export async function runRollback(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(expandShortFlags(argv), SPEC);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`nimbusguard rollback: ${error.message}\nusage: nimbusguard ${ROLLBACK_USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if (args.help) {
    process.stdout.write(`usage: nimbusguard ${ROLLBACK_USAGE}\n`);
    return 0;
  }
  const json = args.json === true;
  const doc: Record<string, unknown> = {};
  const emit = (code: number, message?: string): number => {
    if (message) process.stderr.write(`nimbusguard rollback: ${printable(message)}\n`);
    if (json)
      process.stdout.write(
        `${JSON.stringify({ ...doc, ...(message && code !== 0 ? { error: message } : {}), exitCode: code }, null, 2)}\n`,
      );
    return code;
  };
  const changeId = args._[0];
  if (!changeId || args._.length > 1) return emit(2, 'name exactly one change id (see nimbusguard history)');
  let waitSeconds: number;
  try {
    waitSeconds = parseWait(args.wait);
  } catch (error) {
    return emit(2, (error as Error).message);
  }
  let namespace: string;
  try {
    const { api } = await apiFor(args.kubeconfig, args.context);
    const change = Ledger.forCluster(api.server, api.caHash).get(changeId);
    if (!change) return emit(2, `no change ${changeId} in the ledger of ${api.server}`);
    namespace = change.plan.target.namespace;
  } catch (error) {
    return emit(2, error instanceof Error ? error.message : String(error));
  }
  let s: ActSession;
  try {
    s = await openActSession({
      kubeconfig: args.kubeconfig,
      context: args.context,
      namespace,
      timeoutMs: Math.max(1, Number(args.timeout ?? 30)) * 1000,
    });
  } catch (error) {
    return emit(2, error instanceof Error ? error.message : String(error));
  }
  try {
    doc['rollback'] = changeId;
    const out = json ? process.stderr : process.stdout;
    const prepared = await s.act.prepareRollback(changeId, { force: args.force === true });
    if (!prepared.ok) {
      if (prepared.drift) {
        out.write('the fields were changed since (before / NimbusGuard / now):\n');
        for (const d of prepared.drift)
          out.write(
            `  ${d.path}: ${JSON.stringify(d.before)} / ${JSON.stringify(d.after)} / ${JSON.stringify(d.live)}\n`,
          );
        doc['drift'] = prepared.drift;
      }
      return emit(prepared.reason === 'unknown' ? 2 : 1, prepared.message);
    }
    const proposal = prepared.proposal;
    doc['proposal'] = proposalJson(proposal);
    out.write(`rollback: ${printable(proposal.summary)}\n`);
    if (proposal.change.kind === 'restore' && proposal.change.template)
      out.write(
        '  the whole pod template before the change is put back (replace); replicas, the HPA and other fields are not touched\n',
      );
    const sub = s.act.onProgress(progressPrinter());
    let verified;
    try {
      verified = await s.act.verify(proposal, {
        shadow: false,
        shadowSkipReason: 'informational for a rollback; not run',
        rollback: { changeId, ...(prepared.restoreTemplate ? { restoreTemplate: prepared.restoreTemplate } : {}) },
      });
    } finally {
      sub.dispose();
    }
    const { verdict } = verified;
    doc['verdict'] = verdictJson(verdict);
    out.write(`verdict: ${verdict.result}\n`);
    if (verdict.result !== 'pass')
      return emit(
        1,
        `refused: the verdict is ${verdict.result}: ${verdict.checks
          .filter((c) => c.result === 'fail' || c.result === 'inconclusive')
          .map((c) => `${c.name}: ${c.detail}`)
          .join('; ')}`,
      );
    const needs = s.act.confirmationNeeds(proposal, verdict);
    if (needs.typeContext && args['confirm-context'] !== s.context)
      return emit(3, `not rolled back: ${needs.reasons.join('; ')}: confirm with --confirm-context ${s.context}`);
    let confirmed = args.yes === true;
    if (!confirmed) {
      if (!interactive(json)) return emit(3, 'verified (pass) but not rolled back: confirm with --yes');
      confirmed = await askYesNo(
        `Roll back ${changeId} on ${proposal.target.kind} ${proposal.target.namespace}/${proposal.target.name} in context ${s.context}?`,
      );
      if (!confirmed) return emit(3, 'not rolled back: declined');
    }
    const result = await s.act.decide({
      proposalId: proposal.id,
      planHash: verdict.planHash,
      decision: 'approve',
      waitSeconds,
      ...(args['confirm-context'] ? { confirmContext: args['confirm-context'] } : {}),
    });
    if (result.status === 'unconfirmed') return emit(3, `not rolled back: ${result.message}`);
    if (result.status !== 'applied' || !result.change) return emit(1, `refused: ${result.message}`);
    doc['change'] = changeJson(result.change);
    out.write(
      `rolled back by change ${result.change.id}\n${imageLines(result.change.before, result.change.after).join('\n')}\n`,
    );
    if (waitSeconds <= 0) return emit(0);
    if (result.outcome) {
      doc['outcome'] = outcomeJson(result.outcome);
      out.write(`outcome: ${result.outcome.result}\n`);
    }
    return result.outcome?.result === 'restored'
      ? emit(0)
      : emit(1, `the fields do not hold their earlier values: ${result.outcome?.detail ?? 'no outcome'}`);
  } catch (error) {
    return emit(2, error instanceof Error ? error.message : String(error));
  } finally {
    for (const p of await s.act.pending()) await s.act.discard(p.threadId);
    s.dispose();
  }
}
