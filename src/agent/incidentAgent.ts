// The agent side of the monitor: the incident graph with its checkpointer and the thread runner
// that drives it, one thread per incident id. Everything here may import @langchain/*; the
// extension loads it from its own bundle (dist/agent.js) on first use.
import { MemorySaver } from '@langchain/langgraph';
import type { ClusterSnapshot } from '../core/model/snapshot';
import type { UsageHistory } from '../core/model/usageHistory';
import { FileCheckpointer } from './fileCheckpointer';
import { buildIncidentGraph } from './graph';
import type { Explainer } from './nodes/explain';
import type { State } from './state';
import { ThreadRunner } from './threadRunner';

export type IncidentAgent = ThreadRunner<State>;

export interface IncidentAgentOptions {
  snapshot: () => ClusterSnapshot;
  now: () => Date;
  usage?: () => UsageHistory | undefined;
  /** The optional LLM step; read on every run so a settings change applies at once. */
  explainer?: () => Explainer | undefined;
  /** Where paused threads are kept across reloads; in memory only without it. */
  checkpointDir?: string;
  /** Leave LangSmith tracing as the environment says (off for this process otherwise). */
  allowTracing?: boolean;
  /** Runs end after these nodes (the CLI's scan stops after diagnose). */
  stopAfter?: string[];
}

const TRACING_VARIABLES = ['LANGSMITH_TRACING_V2', 'LANGCHAIN_TRACING_V2', 'LANGSMITH_TRACING', 'LANGCHAIN_TRACING'];

/** Keeps the agent off the network: LangSmith tracing is switched off for this process. */
export function disableRemoteTracing(env: NodeJS.ProcessEnv = process.env): void {
  for (const name of TRACING_VARIABLES) delete env[name];
}

/** A file checkpointer for threads that wait for a person, with remote tracing off unless allowed. */
export function createCheckpointer(dir: string, allowTracing: boolean): FileCheckpointer {
  if (!allowTracing) disableRemoteTracing();
  return new FileCheckpointer(dir);
}

/** Checkpoints in memory, listed by thread like the FileCheckpointer's (for headless runs). */
export class MemoryThreadStore extends MemorySaver {
  threads(): string[] {
    return Object.keys(this.storage);
  }
}

export function createIncidentAgent(options: IncidentAgentOptions): IncidentAgent {
  if (!options.allowTracing) disableRemoteTracing();
  const store = options.checkpointDir ? new FileCheckpointer(options.checkpointDir) : new MemoryThreadStore();
  const graph = buildIncidentGraph({
    snapshot: options.snapshot,
    now: options.now,
    checkpointer: store,
    ...(options.usage ? { usage: options.usage } : {}),
    ...(options.explainer ? { explainer: options.explainer } : {}),
  });
  return new ThreadRunner<State>({ graph, store, ...(options.stopAfter ? { stopAfter: options.stopAfter } : {}) });
}
