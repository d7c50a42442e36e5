// The one small interface every detector implements. A detector is a pure function of the
// snapshot: it reads, it never writes, and it reports only what the evidence shows.
import type { Finding, IncidentType } from '../model/incident';
import type { ClusterSnapshot } from '../model/snapshot';

export interface DetectContext {
  snapshot: ClusterSnapshot;
  /** Evaluation time; detectors never read the clock themselves. */
  now: Date;
}

export interface Detector {
  /** The incident types this detector can report. */
  readonly types: readonly IncidentType[];
  detect(ctx: DetectContext): Finding[];
}
