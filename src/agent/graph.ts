// The agent graph, wiring only: observe → detect, one thread per incident id. Later stages
// (diagnose → propose → verify → approve → act → evaluate) attach after detect.
import { END, START, StateGraph, type BaseCheckpointSaver } from '@langchain/langgraph';
import type { ClusterSnapshot } from '../core/model/snapshot';
import { makeDetectNode } from './nodes/detect';
import { makeObserveNode } from './nodes/observe';
import { IncidentState } from './state';

export interface GraphDeps {
  snapshot: () => ClusterSnapshot;
  now: () => Date;
  checkpointer: BaseCheckpointSaver;
}

export function buildIncidentGraph(deps: GraphDeps) {
  return new StateGraph(IncidentState)
    .addNode('observe', makeObserveNode(deps.snapshot))
    .addNode('detect', makeDetectNode(deps.snapshot, deps.now))
    .addEdge(START, 'observe')
    .addEdge('observe', 'detect')
    .addEdge('detect', END)
    .compile({ checkpointer: deps.checkpointer });
}

export type IncidentGraph = ReturnType<typeof buildIncidentGraph>;
