// The agent graph, wiring only. Incident threads (one per incident id): observe → detect →
// diagnose → (explain). Act threads (one per target × correlation group, started with a request):
// propose → verify → approve (interrupt: a person decides) → act → evaluate.
import { END, START, StateGraph, type BaseCheckpointSaver } from '@langchain/langgraph';
import type { ClusterSnapshot } from '../core/model/snapshot';
import type { UsageHistory } from '../core/model/usageHistory';
import type { ActContext } from './actContext';
import { afterAct, makeActNode } from './nodes/act';
import { afterApprove, approveNode } from './nodes/approve';
import { makeDetectNode } from './nodes/detect';
import { makeDiagnoseNode } from './nodes/diagnose';
import { makeEvaluateNode } from './nodes/evaluate';
import { afterDetect, afterDiagnose, makeExplainNode, type Explainer } from './nodes/explain';
import { makeObserveNode } from './nodes/observe';
import { afterPropose, makeProposeNode } from './nodes/propose';
import { afterVerify, makeVerifyNode } from './nodes/verify';
import { IncidentState, type State } from './state';

export interface GraphDeps {
  snapshot: () => ClusterSnapshot;
  now: () => Date;
  checkpointer: BaseCheckpointSaver;
  usage?: () => UsageHistory | undefined;
  /** The LLM step, when the user configured one; read per run so settings apply at once. */
  explainer?: () => Explainer | undefined;
  /** What the act stages need; only act threads (started with a request) reach them. */
  act?: () => ActContext;
}

/** Pure router: a thread started with a request acts, any other explains an incident. */
export function entry(state: State): 'propose' | 'observe' {
  return state.request ? 'propose' : 'observe';
}

export function buildIncidentGraph(deps: GraphDeps) {
  const explainer = deps.explainer ?? (() => undefined);
  const act =
    deps.act ??
    (() => {
      throw new Error('this graph was built without the act stages');
    });
  return new StateGraph(IncidentState)
    .addNode('observe', makeObserveNode(deps.snapshot))
    .addNode('detect', makeDetectNode(deps.snapshot, deps.now))
    .addNode('diagnose', makeDiagnoseNode(deps.snapshot, deps.usage ?? (() => undefined), deps.now))
    .addNode('explain', makeExplainNode(explainer))
    .addNode('propose', makeProposeNode(act))
    .addNode('verify', makeVerifyNode(act))
    .addNode('approve', approveNode)
    .addNode('act', makeActNode(act))
    .addNode('evaluate', makeEvaluateNode(act))
    .addConditionalEdges(START, entry, ['propose', 'observe'])
    .addEdge('observe', 'detect')
    .addConditionalEdges('detect', afterDetect, ['diagnose', END])
    .addConditionalEdges('diagnose', (state) => afterDiagnose(state, explainer() !== undefined), ['explain', END])
    .addEdge('explain', END)
    .addConditionalEdges('propose', afterPropose, ['verify', END])
    .addConditionalEdges('verify', afterVerify, ['approve', END])
    .addConditionalEdges('approve', afterApprove, ['act', END])
    .addConditionalEdges('act', afterAct, ['evaluate', END])
    .addEdge('evaluate', END)
    .compile({ checkpointer: deps.checkpointer });
}

export type IncidentGraph = ReturnType<typeof buildIncidentGraph>;
