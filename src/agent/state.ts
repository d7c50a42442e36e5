// The state of one thread through the agent graph. Values are plain JSON so every checkpoint can be
// written to disk and read back after a restart. Incident threads (one per incident id) run
// observe → detect → diagnose → explain; act threads (one per target × correlation group) carry a
// `request` and run propose → verify → approve → act → evaluate.
import { Annotation } from '@langchain/langgraph';
import type { CauseOfIncident } from '../core/change/proposals';
import type { Evidence, Finding, Incident } from '../core/model/incident';
import type { ApprovalDecision, Outcome, Proposal, Verdict } from '../core/model/proposal';
import type { RootCause } from '../core/model/rootCause';

/** What the developer asked the act loop to do. */
export interface ActRequest {
  /** The causes the proposals come from (the diagnosis of the target's open incidents). */
  causes: CauseOfIncident[];
  /** A ready-made proposal (a rollback of a recorded change, a scaling proposal) instead of causes. */
  proposal?: Proposal;
  /** Which proposal to verify; the first ranked one when absent. */
  proposalId?: string;
  shadow: boolean;
  shadowSkipReason?: string;
  /** For a rollback: the change it restores and, for a template replace, the template to put back. */
  rollbackOf?: string;
  restoreTemplate?: Record<string, unknown>;
}

/** What happened at the act node. */
export interface ActResult {
  status: 'applied' | 'failed' | 'stopped' | 'rejected' | 'invalid';
  message: string;
  changeId?: string;
  reverified: number;
  generation?: number;
  /** When the write was accepted (ISO), the start of the outcome wait. */
  acceptedAt?: string;
}

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
  /** Act threads only: the request, the ranked proposals, the chosen one and its verdict. */
  request: Annotation<ActRequest | null>({ reducer: (_old, next) => next, default: () => null }),
  proposals: Annotation<Proposal[]>({ reducer: (_old, next) => next, default: () => [] }),
  proposal: Annotation<Proposal | null>({ reducer: (_old, next) => next, default: () => null }),
  verdict: Annotation<Verdict | null>({ reducer: (_old, next) => next, default: () => null }),
  /** The validated resume value of the approve node. */
  decision: Annotation<ApprovalDecision | null>({ reducer: (_old, next) => next, default: () => null }),
  acted: Annotation<ActResult | null>({ reducer: (_old, next) => next, default: () => null }),
  outcome: Annotation<Outcome | null>({ reducer: (_old, next) => next, default: () => null }),
});

export type State = typeof IncidentState.State;
export type Update = typeof IncidentState.Update;
