// `nimbusguard fix KIND/NAME -n NS`: the act loop headless. Prints the proposals, verifies the
// chosen one, applies it only on `pass` and with --yes (or a y at a TTY prompt), and with --wait
// follows the rollout and the outcome. Exit codes: 0 applied (and resolved with --wait); 1 not
// applied (fail/inconclusive, or the spec changed twice); 2 usage/connection/unknown object/no
// incident/no proposal/bad --fix; 3 pass but not confirmed; 4 applied but rollout failed or not
// resolved; 130 interrupted.
import type { Incident, IncidentType } from '../core/model/incident';
import { INCIDENT_TYPES } from '../core/model/incident';
import type { Proposal } from '../core/model/proposal';
import type { ApiResponse } from '../cluster/actions/apiClient';
import { parseArgs, UsageError } from './args';
import {
  apiFor,
  askYesNo,
  CliError,
  interactive,
  openActSession,
  parseWait,
  progressPrinter,
  type ActSession,
} from './actSession';
import {
  changeJson,
  imageLines,
  incidentBrief,
  learnedLine,
  outcomeJson,
  proposalJson,
  proposalLines,
  verdictJson,
} from './actOutput';
import { parseObjectArg } from './objectArg';
import { SCALING_POLICY_NAMES, type ScalingPolicyName } from '../core/change/qScaling';
import { printable } from './scanOutput';
import { SCALING_OBJECTIVES, type ScalingObjective } from '../core/scaling/objective';

export const FIX_USAGE =
  'fix KIND/NAME -n NS [--type INCIDENT_TYPE] [--policy predictive|qlearning] [--objective availability|cost] [--fix N|ID] [--shadow] [--yes] [--wait SECONDS] [--confirm-context NAME] [--confirm-risk high] [--json] [--context C] [--kubeconfig FILE]';

const SPEC = {
  namespace: 'string',
  type: 'string',
  policy: 'string',
  objective: 'string',
  fix: 'string',
  shadow: 'boolean',
  yes: 'boolean',
  wait: 'string',
  'confirm-context': 'string',
  'confirm-risk': 'string',
  json: 'boolean',
  context: 'string',
  kubeconfig: 'string',
  timeout: 'string',
  help: 'boolean',
} as const;

/** `-n NS` as kubectl spells it. */
export function expandShortFlags(argv: string[]): string[] {
  return argv.flatMap((a) =>
    a === '-n' ? ['--namespace'] : a.startsWith('-n=') ? [`--namespace=${a.slice(3)}`] : a === '-y' ? ['--yes'] : [a],
  );
}

function choose(proposals: readonly Proposal[], fix: string | undefined): Proposal {
  if (fix === undefined) return proposals[0]!;
  if (/^\d+$/.test(fix)) {
    const n = Number(fix);
    if (n < 1 || n > proposals.length)
      throw new CliError(
        `--fix ${fix}: there ${proposals.length === 1 ? 'is 1 proposal' : `are ${proposals.length} proposals`}`,
        2,
      );
    return proposals[n - 1]!;
  }
  const hit = proposals.find((p) => p.id === fix);
  if (!hit) throw new CliError(`--fix ${fix}: no proposal has this id`, 2);
  return hit;
}

export async function runFix(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(expandShortFlags(argv), SPEC);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`nimbusguard fix: ${error.message}\nusage: nimbusguard ${FIX_USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if (args.help) {
    process.stdout.write(`usage: nimbusguard ${FIX_USAGE}\n`);
    return 0;
  }
  const json = args.json === true;
  const doc: Record<string, unknown> = {};
  const emit = (code: number, message?: string): number => {
    if (message) process.stderr.write(`nimbusguard fix: ${printable(message)}\n`);
    if (json)
      process.stdout.write(
        `${JSON.stringify({ ...doc, ...(message && code !== 0 ? { error: message } : {}), exitCode: code }, null, 2)}\n`,
      );
    return code;
  };
  const object = parseObjectArg(args._[0]);
  if ('error' in object) return emit(2, object.error);
  if (args._.length > 1) return emit(2, `unexpected argument "${args._[1]}"`);
  if (args.type && args.type !== 'Scaling' && !(INCIDENT_TYPES as readonly string[]).includes(args.type))
    return emit(2, `--type ${args.type} is not an incident type (${INCIDENT_TYPES.join(', ')}, Scaling)`);
  if (args.policy !== undefined && !(SCALING_POLICY_NAMES as readonly string[]).includes(args.policy))
    return emit(2, `--policy ${args.policy} is not a scaling policy (${SCALING_POLICY_NAMES.join(', ')})`);
  if (args.policy !== undefined && args.type !== 'Scaling') return emit(2, '--policy applies only with --type Scaling');
  if (args.objective !== undefined && !(SCALING_OBJECTIVES as readonly string[]).includes(args.objective))
    return emit(2, `--objective ${args.objective} is not a scaling objective (${SCALING_OBJECTIVES.join(', ')})`);
  if (args.objective !== undefined && args.type !== 'Scaling')
    return emit(2, '--objective applies only with --type Scaling');
  if (args['confirm-risk'] !== undefined && args['confirm-risk'] !== 'high')
    return emit(2, '--confirm-risk takes only "high"');
  let waitSeconds: number;
  try {
    waitSeconds = parseWait(args.wait);
  } catch (error) {
    return emit(2, (error as Error).message);
  }
  let namespace = args.namespace;
  if (!namespace) {
    try {
      const { api, context } = await apiFor(args.kubeconfig, args.context);
      namespace = api.kc.getContextObject(context)?.namespace || 'default';
    } catch (error) {
      return emit(2, error instanceof Error ? error.message : String(error));
    }
  }
  const timeoutMs = Math.max(1, Number(args.timeout ?? 30)) * 1000;
  let s: ActSession;
  try {
    s = await openActSession({
      kubeconfig: args.kubeconfig,
      context: args.context,
      namespace,
      timeoutMs,
      scalingObjective: args.objective as ScalingObjective | undefined,
    });
  } catch (error) {
    return emit(2, error instanceof Error ? error.message : String(error));
  }
  const abort = new AbortController();
  const onSigint = () => {
    abort.abort();
    s.act.cancel();
  };
  process.once('SIGINT', onSigint);
  try {
    return await fixWithSession(s, { ...object, namespace }, args, json, waitSeconds, doc, emit, abort.signal);
  } finally {
    process.removeListener('SIGINT', onSigint);
    for (const p of await s.act.pending()) await s.act.discard(p.threadId);
    s.dispose();
  }
}

type FixArgs = ReturnType<typeof parseArgs<typeof SPEC>>;

async function fixWithSession(
  s: ActSession,
  ref: { kind: string; name: string; namespace: string },
  args: FixArgs,
  json: boolean,
  waitSeconds: number,
  doc: Record<string, unknown>,
  emit: (code: number, message?: string) => number,
  signal: AbortSignal,
): Promise<number> {
  const exists: ApiResponse = await s.api
    .read(ref.kind, ref.namespace, ref.name)
    .catch((error: unknown) => ({ status: 0, body: { message: String(error) }, warnings: [] }));
  if (exists.status === 404) return emit(2, `${ref.kind} ${ref.namespace}/${ref.name} not found`);
  if (exists.status < 200 || exists.status > 299)
    return emit(
      2,
      `${ref.kind} ${ref.namespace}/${ref.name} cannot be read: ${String(exists.body['message'] ?? exists.status)}`,
    );
  const target = { ...ref, uid: String(exists.body['metadata']?.['uid'] ?? '') };
  let list: { incidents: Incident[]; proposals: Proposal[]; advice: string[] };
  if (args.type === 'Scaling') {
    const scaling = s.act.scalingProposalFor(target, args.policy ? { policy: args.policy as ScalingPolicyName } : {});
    if (!scaling.proposal) return emit(2, `no actionable proposal: ${scaling.note}`);
    list = { incidents: [], proposals: [scaling.proposal], advice: [] };
    doc['incident'] = null;
    (json ? process.stderr : process.stdout).write(`scaling: ${printable(scaling.note)}\n`);
  } else {
    list = s.act.proposalsFor(target, args.type ? { type: args.type as IncidentType } : {});
    if (list.incidents.length === 0)
      return emit(2, `no open incident on ${ref.kind}/${ref.name}${args.type ? ` of type ${args.type}` : ''}`);
    doc['incident'] = incidentBrief(list.incidents[0]!);
  }
  doc['proposals'] = list.proposals.map((p, i) => ({ id: p.id, rank: i + 1, summary: p.summary, risk: p.risk }));
  const out = json ? process.stderr : process.stdout;
  for (const i of list.incidents)
    out.write(`${i.severity.toUpperCase()} ${i.type} ${i.workload.kind}/${i.workload.name}: ${printable(i.summary)}\n`);
  for (const a of list.advice) out.write(`advice (not proposed): ${printable(a)}\n`);
  if (list.proposals.length === 0) return emit(2, `no actionable proposal for ${ref.kind}/${ref.name} (only advice)`);
  out.write(`proposals:\n${proposalLines(list.proposals).join('\n')}\n`);
  let proposal: Proposal;
  try {
    proposal = choose(list.proposals, args.fix);
  } catch (error) {
    return emit(2, (error as Error).message);
  }
  doc['proposal'] = proposalJson(proposal);
  process.stderr.write(`verifying: ${printable(proposal.summary)}\n`);
  const sub = s.act.onProgress(progressPrinter());
  let verified;
  try {
    verified = await s.act.verify(proposal, {
      shadow: args.shadow === true,
      shadowSkipReason: 'disabled (the CLI runs a shadow only with --shadow)',
    });
  } finally {
    sub.dispose();
  }
  if (signal.aborted) return emit(130, 'interrupted');
  const { verdict } = verified;
  doc['verdict'] = verdictJson(verdict);
  out.write(`verdict: ${verdict.result}\n`);
  if (verdict.result !== 'pass')
    return emit(
      1,
      verdict.result === 'fail'
        ? 'not applied: the verdict is fail'
        : `not applied: the verdict is inconclusive (${verdict.checks
            .filter((c) => c.result === 'inconclusive')
            .map((c) => `${c.name}: ${c.detail}`)
            .join('; ')}); the CLI never applies an inconclusive verdict`,
    );
  const needs = s.act.confirmationNeeds(proposal, verdict);
  if (needs.typeContext && args['confirm-context'] !== s.context)
    return emit(
      3,
      `not applied: ${needs.reasons.join('; ')}: confirm with --confirm-context ${s.context}${needs.confirmRisk ? ' --confirm-risk high' : ''}`,
    );
  if (needs.confirmRisk && args['confirm-risk'] !== 'high')
    return emit(3, `not applied: ${needs.reasons.join('; ')}: confirm with --confirm-risk high`);
  let confirmed = args.yes === true;
  if (!confirmed) {
    if (!interactive(json)) return emit(3, 'verified (pass) but not applied: confirm with --yes');
    confirmed = await askYesNo(
      `Apply "${proposal.summary}" to ${proposal.target.kind} ${proposal.target.namespace}/${proposal.target.name} in context ${s.context}?`,
    );
    if (!confirmed) return emit(3, 'not applied: declined');
  }
  const result = await s.act.decide({
    proposalId: proposal.id,
    planHash: verdict.planHash,
    decision: 'approve',
    waitSeconds,
    ...(args['confirm-context'] ? { confirmContext: args['confirm-context'] } : {}),
    ...(args['confirm-risk'] === 'high' ? { confirmRisk: 'high' as const } : {}),
  });
  if (result.verdict) doc['verdict'] = verdictJson(result.verdict);
  if (result.status === 'unconfirmed') return emit(3, `not applied: ${result.message}`);
  if (result.status !== 'applied' || !result.change) return emit(1, `not applied: ${result.message}`);
  doc['change'] = changeJson(result.change);
  out.write(
    `applied: change ${result.change.id}\n${imageLines(result.change.before, result.change.after).join('\n')}\n`,
  );
  out.write(`${manifestHint(proposal)}\n`);
  if (waitSeconds <= 0) return emit(0);
  const outcome = result.outcome;
  if (!outcome) return emit(4, `applied as ${result.change.id}, but no outcome was judged`);
  doc['outcome'] = outcomeJson(outcome);
  out.write(`outcome: ${outcome.result} (${printable(outcome.detail)})\n`);
  if (outcome.learned) out.write(`${learnedLine(outcome.learned)}\n`);
  return outcome.result === 'resolved'
    ? emit(0)
    : emit(
        4,
        `applied as change ${result.change.id}, but the outcome is ${outcome.result}${outcome.rollout === 'failed' ? ' (the rollout failed)' : ''}: nimbusguard rollback ${result.change.id}`,
      );
}

/** The same change for the manifest in the repository: the ledger keeps the change "cluster only" until then. */
function manifestHint(p: Proposal): string {
  const where = `${p.target.kind}/${p.target.name}`;
  if (p.change.kind === 'patch')
    return `cluster only: make the same edit to ${where} in your manifest:\n${p.change.edits.map((e) => `  ${printable(e.path)}: ${printable(String(e.value))}`).join('\n')}`;
  if (p.change.kind === 'rollbackToRevision')
    return `cluster only: put revision ${p.change.revision}'s pod template (its images) into the manifest of ${where} too`;
  return `cluster only: the manifest of ${where} should match the restored values`;
}
