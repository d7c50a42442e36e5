// Loads the agent's heavy parts on demand and keeps them off the network: LangSmith tracing is
// switched off for this process unless the user allowed it.
import { FileCheckpointer } from './fileCheckpointer';

const TRACING_VARIABLES = ['LANGSMITH_TRACING_V2', 'LANGCHAIN_TRACING_V2', 'LANGSMITH_TRACING', 'LANGCHAIN_TRACING'];

export function disableRemoteTracing(env: NodeJS.ProcessEnv = process.env): void {
  for (const name of TRACING_VARIABLES) delete env[name];
}

export function createCheckpointer(dir: string, allowTracing: boolean): FileCheckpointer {
  if (!allowTracing) disableRemoteTracing();
  return new FileCheckpointer(dir);
}
