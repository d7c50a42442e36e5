// `nimbusguard scan`: the extension's detection and agent graph, headless, run through diagnose only
// (no LLM wording, no proposals), so every incident is printed with the rule engine's root cause.
// Exit 0 with no incidents, 1 with incidents, 2 on error (message on stderr).
import { ClusterSession } from '../cluster/clusterSession';
import { chooseContext, clientConfigFor, kubeconfigSources, loadKubeconfig } from '../cluster/kubeconfigLoader';
import { IncidentMonitor } from '../agent/incidentMonitor';
import { createIncidentAgent } from '../agent/incidentAgent';
import { readLogTail } from '../cluster/podLogs';
import type { Incident } from '../core/model/incident';
import { parseArgs, UsageError } from './args';
import { formatIncidentLine, incidentJson, printable } from './scanOutput';

const SPEC = {
  context: 'string',
  namespace: 'strings',
  kubeconfig: 'string',
  json: 'boolean',
  watch: 'boolean',
  timeout: 'string',
  help: 'boolean',
} as const;

export const SCAN_USAGE =
  'scan [--context C] [--namespace N]... [--kubeconfig FILE] [--json] [--watch] [--timeout SECONDS]';

export async function runScan(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, SPEC);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`nimbusguard scan: ${error.message}\nusage: nimbusguard ${SCAN_USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if (args.help) {
    process.stdout.write(`usage: nimbusguard ${SCAN_USAGE}\n`);
    return 0;
  }
  const timeoutMs = Math.max(1, Number(args.timeout ?? 30)) * 1000;
  const loaded = await loadKubeconfig(kubeconfigSources(args.kubeconfig));
  if (args.context && !loaded.doc.contexts.some((c) => c.name === args.context)) {
    throw new Error(`context "${args.context}" is not defined in ${loaded.files.join(', ')}`);
  }
  const context = chooseContext(loaded.doc, args.context);
  const session = new ClusterSession(clientConfigFor(loaded, context), context, {
    namespaces: args.namespace ?? [],
    metrics: true,
  });
  await session.start();
  try {
    if (session.state.phase === 'unreachable') throw new Error(`${context}: ${session.state.message}`);
    if (!(await session.whenSynced(timeoutMs)))
      throw new Error(`${context}: the cluster did not answer every list within ${timeoutMs / 1000}s`);
    for (const note of session.notes()) process.stderr.write(`note: ${note}\n`);
    // One-shot: the report is of one instant, so detection and every incident's diagnosis read the
    // same snapshot at the same time (and each detector runs once, not once per incident).
    const at = new Date();
    if (!args.watch) session.freeze();
    const monitor = new IncidentMonitor({
      ...(args.watch ? {} : { now: () => at }),
      snapshot: session.snapshot,
      onSnapshotChange: session.onDidChange,
      usage: session.usage,
      agent: async (context) =>
        createIncidentAgent({ ...context, explainer: () => undefined, stopAfter: ['diagnose'] }),
      readLogs: (req) => readLogTail(session.kc, req),
      tickMs: 5_000,
    });
    try {
      monitor.evaluate();
      await monitor.idle();
      if (!args.watch) {
        printOnce(monitor, args.json === true);
        return monitor.open().length > 0 ? 1 : 0;
      }
      return await watchLoop(monitor, args.json === true);
    } finally {
      monitor.dispose();
    }
  } finally {
    session.dispose();
  }
}

function withAnalysis(monitor: IncidentMonitor, incident: Incident): Incident {
  const confirmed = monitor.analysis(incident.id)?.confirmed;
  return confirmed ? { ...incident, evidence: confirmed.evidence } : incident;
}

function printOnce(monitor: IncidentMonitor, json: boolean): void {
  const incidents = monitor.open().map((i) => withAnalysis(monitor, i));
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ incidents: incidents.map((i) => incidentJson(i, monitor.rootCause(i.id))) }, null, 2)}\n`,
    );
    return;
  }
  if (incidents.length === 0) {
    process.stdout.write('No incidents.\n');
    return;
  }
  for (const incident of incidents) {
    process.stdout.write(`${formatIncidentLine(incident)}\n`);
    const cause = monitor.rootCause(incident.id);
    const why = monitor.analysis(incident.id)?.trail.at(-1) ?? 'the agent did not run';
    const line = cause
      ? `cause: ${cause.summary}${cause.fixes[0] ? ` — fix: ${cause.fixes[0].summary}` : ''}`
      : `cause: not diagnosed (${why})`;
    process.stdout.write(`${printable(`         ${line}`)}\n`);
    const log = cause?.evidence.find((e) => e.kind === 'log');
    if (log) process.stdout.write(`${printable(`         log: ${log.source.name}: ${log.text}`)}\n`);
  }
  process.stdout.write(`${incidents.length} open incident${incidents.length === 1 ? '' : 's'}\n`);
}

function watchLoop(monitor: IncidentMonitor, json: boolean): Promise<number> {
  const emit = (state: 'open' | 'resolved', incident: Incident) => {
    if (json)
      process.stdout.write(
        `${JSON.stringify({ event: state, incident: incidentJson(withAnalysis(monitor, incident), state === 'open' ? monitor.rootCause(incident.id) : undefined) })}\n`,
      );
    else process.stdout.write(`${state === 'open' ? '+' : '-'} ${formatIncidentLine(incident)}\n`);
  };
  // An incident is announced once its thread has diagnosed it, and its resolution only if it was announced.
  const announced = new Set<string>();
  const announce = (incident: Incident) => {
    if (announced.has(incident.id) || monitor.get(incident.id)?.status !== 'open') return;
    announced.add(incident.id);
    emit('open', monitor.get(incident.id) ?? incident);
  };
  for (const incident of monitor.open()) announce(incident);
  monitor.onDidChange(({ opened, resolved }) => {
    for (const i of resolved) if (announced.delete(i.id)) emit('resolved', i);
    if (opened.length > 0) void monitor.idle().then(() => opened.forEach(announce));
  });
  return new Promise((resolve) => {
    const stop = () => resolve(monitor.open().length > 0 ? 1 : 0);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
