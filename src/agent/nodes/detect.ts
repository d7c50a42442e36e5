// detect: runs the detectors again on the current snapshot and confirms that the incident's
// condition still holds for its workload, merging in the focused evidence from observe.
import { DETECTORS, detectAll } from '../../core/detect/detectors';
import type { ClusterSnapshot } from '../../core/model/snapshot';
import type { State, Update } from '../state';

export function makeDetectNode(snapshot: () => ClusterSnapshot, now: () => Date) {
  return (state: State): Update => {
    const { incident } = state;
    // Only the detectors that can report this type: on a big cluster a full pass costs ~0.5 s.
    const relevant = DETECTORS.filter((d) => d.types.includes(incident.type));
    const { findings } = detectAll({ snapshot: snapshot(), now: now() }, relevant);
    const match = findings.find(
      (f) =>
        f.type === incident.type &&
        f.workload.kind === incident.workload.kind &&
        f.workload.namespace === incident.workload.namespace &&
        f.workload.name === incident.workload.name &&
        (f.key ?? '') === (incident.key ?? ''),
    );
    if (!match) return { confirmed: null, trail: ['detect: the condition no longer holds'] };
    const seen = new Set(match.evidence.map((e) => `${e.kind}|${e.source.name}|${e.text}`));
    const extra = state.observed.filter((e) => !seen.has(`${e.kind}|${e.source.name}|${e.text}`));
    return {
      confirmed: { ...match, evidence: [...match.evidence, ...extra] },
      trail: [`detect: confirmed ${match.type} (${match.severity})`],
    };
  };
}
