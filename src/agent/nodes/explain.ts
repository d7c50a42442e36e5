// explain: when the user configured an OpenAI-compatible endpoint, asks it to word the rule-based
// root cause more clearly. It can only change the explanation and add hypotheses; on any failure
// the rule-based text stays, with a one-line note.
import type { RootCause } from '../../core/model/rootCause';
import type { Incident } from '../../core/model/incident';
import type { State, Update } from '../state';

export type Explainer = (rootCause: RootCause, incident: Incident) => Promise<RootCause>;

export function makeExplainNode(explainer: () => Explainer | undefined) {
  return async (state: State): Promise<Update> => {
    const explain = explainer();
    if (!state.rootCause || !explain) return { trail: ['explain: no LLM configured'] };
    const enriched = await explain(state.rootCause, state.incident);
    // Whatever the model said, the actionable parts stay the rule engine's.
    const safe: RootCause = {
      ...enriched,
      fixes: state.rootCause.fixes,
      fields: state.rootCause.fields,
      category: state.rootCause.category,
      confidence: state.rootCause.confidence,
    };
    return { rootCause: safe, trail: [safe.note ? `explain: ${safe.note}` : 'explain: wording improved by the LLM'] };
  };
}

/** Routers: pure functions of the state. */
export function afterDetect(state: State): 'diagnose' | '__end__' {
  return state.confirmed ? 'diagnose' : '__end__';
}

export function afterDiagnose(state: State, hasExplainer: boolean): 'explain' | '__end__' {
  return state.rootCause && hasExplainer ? 'explain' : '__end__';
}
