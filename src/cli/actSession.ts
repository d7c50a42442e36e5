// What `fix` and `rollback` share: connecting to one namespace of a context, an incident monitor
// over it, the ActService, printing progress to stderr, and the interactive y/N prompt.
import { createInterface } from 'node:readline/promises';
import { ActService } from '../agent/actService';
import { IncidentMonitor } from '../agent/incidentMonitor';
import { createIncidentAgent } from '../agent/incidentAgent';
import { ApiClient } from '../cluster/actions/apiClient';
import { ShadowRunner } from '../cluster/actions/shadow';
import { ClusterSession } from '../cluster/clusterSession';
import { chooseContext, clientConfigFor, kubeconfigSources, loadKubeconfig } from '../cluster/kubeconfigLoader';
import type { CheckResult, VerifyProgress } from '../core/model/proposal';
import { printable } from './scanOutput';
import type { ScalingObjective } from '../core/scaling/objective';

export class CliError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

export interface ActSession {
  context: string;
  session: ClusterSession;
  monitor: IncidentMonitor;
  act: ActService;
  api: ApiClient;
  dispose(): void;
}

/** Loads the kubeconfig and builds an ApiClient without watching anything (history, rollback lookups). */
export async function apiFor(
  kubeconfig: string | undefined,
  contextArg: string | undefined,
): Promise<{ api: ApiClient; context: string }> {
  const loaded = await loadKubeconfig(kubeconfigSources(kubeconfig));
  if (contextArg && !loaded.doc.contexts.some((c) => c.name === contextArg))
    throw new CliError(`context "${contextArg}" is not defined in ${loaded.files.join(', ')}`, 2);
  const context = chooseContext(loaded.doc, contextArg);
  return { api: new ApiClient(clientConfigFor(loaded, context)), context };
}

export async function openActSession(opts: {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  namespace: string;
  timeoutMs: number;
  /** What scaling proposals and the replay check optimize (default availability). */
  scalingObjective?: ScalingObjective | undefined;
}): Promise<ActSession> {
  const loaded = await loadKubeconfig(kubeconfigSources(opts.kubeconfig));
  if (opts.context && !loaded.doc.contexts.some((c) => c.name === opts.context))
    throw new CliError(`context "${opts.context}" is not defined in ${loaded.files.join(', ')}`, 2);
  const context = chooseContext(loaded.doc, opts.context);
  const kc = clientConfigFor(loaded, context);
  const session = new ClusterSession(kc, context, { namespaces: [opts.namespace], metrics: true });
  await session.start();
  if (session.state.phase === 'unreachable') {
    session.dispose();
    throw new CliError(`${context}: ${session.state.message}`, 2);
  }
  if (!(await session.whenSynced(opts.timeoutMs))) {
    session.dispose();
    throw new CliError(`${context}: the cluster did not answer every list within ${opts.timeoutMs / 1000}s`, 2);
  }
  const monitor = new IncidentMonitor({
    snapshot: session.snapshot,
    onSnapshotChange: session.onDidChange,
    usage: session.usage,
    tickMs: 2_000,
    // Proposals come from root causes, and a root cause from the incident's graph thread (through diagnose).
    agent: async (context) => createIncidentAgent({ ...context, explainer: () => undefined, stopAfter: ['diagnose'] }),
  });
  monitor.evaluate();
  await monitor.idle();
  const api = new ApiClient(kc);
  const act = new ActService({
    api,
    snapshot: session.snapshot,
    incidents: monitor,
    usage: session.usage,
    shadow: new ShadowRunner(api),
    namespaces: () => [opts.namespace],
    ...(opts.scalingObjective ? { scalingObjective: () => opts.scalingObjective! } : {}),
  });
  for (const note of await act.start()) process.stderr.write(`note: ${note}\n`);
  return {
    context,
    session,
    monitor,
    act,
    api,
    dispose: () => {
      act.dispose();
      monitor.dispose();
      session.dispose();
    },
  };
}

function checkLine(r: CheckResult): string {
  return `  ${r.result.padEnd(12)} ${r.name.padEnd(13)} ${printable(r.detail)}${r.durationMs > 0 ? ` (${r.durationMs} ms)` : ''}`;
}

/** Per-check progress on stderr (never on stdout, which --json keeps for the one document). */
export function progressPrinter(): (e: VerifyProgress) => void {
  const shown = new Set<string>();
  return (e) => {
    if (e.phase === 'started') {
      process.stderr.write(`  …            ${e.check}\n`);
    } else if (e.phase === 'timeline') {
      // The shadow pod's timeline grows while it runs: print the steps not printed yet.
      for (const step of e.timeline.filter((s) => !shown.has(`${e.proposalId}:${s.key}`))) {
        shown.add(`${e.proposalId}:${step.key}`);
        process.stderr.write(`               shadow ${step.at.slice(11, 19)} ${step.step}: ${printable(step.text)}\n`);
      }
    } else {
      process.stderr.write(`${checkLine(e.result)}\n`);
      for (const w of e.result.warnings) process.stderr.write(`               warning: ${printable(w)}\n`);
    }
  };
}

export function interactive(json: boolean): boolean {
  return !json && Boolean(process.stdin.isTTY) && Boolean(process.stderr.isTTY);
}

/** Asks on stderr; true only for y/yes. */
export async function askYesNo(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export function parseWait(text: string | undefined): number {
  if (text === undefined) return 0;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || n > 86_400)
    throw new CliError(`--wait takes seconds between 0 and 86400, not "${text}"`, 2);
  return n;
}
