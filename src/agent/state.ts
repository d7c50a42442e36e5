// The state of one incident's thread through the agent graph. Values are plain JSON so every
// checkpoint can be written to disk and read back after a restart.
import { Annotation } from '@langchain/langgraph';
import type { Evidence, Finding, Incident } from '../core/model/incident';
import type { RootCause } from '../core/model/rootCause';

export const IncidentState = Annotation.Root({
  /** The incident as the continuous detection saw it when the thread started. */
  incident: Annotation<Incident>,
  /** Focused evidence gathered for the workload by `observe`. */
  observed: Annotation<Evidence[]>({ reducer: (_old, next) => next, default: () => [] }),
  /** The finding `detect` confirmed on the focused evidence, or null when the condition cleared. */
  confirmed: Annotation<Finding | null>({ reducer: (_old, next) => next, default: () => null }),
  /** The explanation `diagnose` produced (and `explain` may have reworded). */
  rootCause: Annotation<RootCause | null>({ reducer: (_old, next) => next, default: () => null }),
  /** One line per node, for the evidence panel and the CLI's --verbose output. */
  trail: Annotation<string[]>({ reducer: (old, next) => [...old, ...next], default: () => [] }),
});

export type State = typeof IncidentState.State;
export type Update = typeof IncidentState.Update;
