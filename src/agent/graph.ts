// The agent graph, wiring only: observe → detect → diagnose → (explain), one thread per incident id.
// Later stages (propose → verify → approve → act → evaluate) attach after diagnose.
import { END, START, StateGraph, type BaseCheckpointSaver } from '@langchain/langgraph';
import type { ClusterSnapshot } from '../core/model/snapshot';
import type { UsageHistory } from '../core/model/usageHistory';
import { makeDetectNode } from './nodes/detect';
import { makeDiagnoseNode } from './nodes/diagnose';
import { afterDetect, afterDiagnose, makeExplainNode, type Explainer } from './nodes/explain';
import { makeObserveNode } from './nodes/observe';
import { IncidentState } from './state';

export interface GraphDeps {
  snapshot: () => ClusterSnapshot;
  now: () => Date;
  checkpointer: BaseCheckpointSaver;
  usage?: () => UsageHistory | undefined;
  /** The LLM step, when the user configured one; read per run so settings apply at once. */
  explainer?: () => Explainer | undefined;
}

export function buildIncidentGraph(deps: GraphDeps) {
  const explainer = deps.explainer ?? (() => undefined);
  return new StateGraph(IncidentState)
    .addNode('observe', makeObserveNode(deps.snapshot))
    .addNode('detect', makeDetectNode(deps.snapshot, deps.now))
    .addNode('diagnose', makeDiagnoseNode(deps.snapshot, deps.usage ?? (() => undefined), deps.now))
    .addNode('explain', makeExplainNode(explainer))
    .addEdge(START, 'observe')
    .addEdge('observe', 'detect')
    .addConditionalEdges('detect', afterDetect, ['diagnose', END])
    .addConditionalEdges('diagnose', (state) => afterDiagnose(state, explainer() !== undefined), ['explain', END])
    .addEdge('explain', END)
    .compile({ checkpointer: deps.checkpointer });
}

export type IncidentGraph = ReturnType<typeof buildIncidentGraph>;
