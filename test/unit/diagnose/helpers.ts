// Test helpers: real findings from the detectors, turned into incidents the way the tracker does.
import type { Detector } from '../../../src/core/detect/detector';
import { incidentId, type Finding, type Incident } from '../../../src/core/model/incident';
import type { RootCause } from '../../../src/core/model/rootCause';
import type { UsageHistory } from '../../../src/core/model/usageHistory';
import { diagnose } from '../../../src/core/diagnose/diagnose';
import { NOW, ago, run, type ClusterSnapshot } from '../detect/fixtures';

export function toIncident(f: Finding): Incident {
  return { ...f, id: incidentId(f), status: 'open', firstSeen: ago(600), lastSeen: NOW.toISOString() };
}

/** The one finding `detector` reports (optionally the one matching `pick`), as an incident. */
export function incidentOf(
  detector: Detector,
  snapshot: ClusterSnapshot,
  pick: (f: Finding) => boolean = () => true,
): Incident {
  const found = run(detector, snapshot).filter(pick);
  if (found.length === 0) throw new Error(`no ${detector.types.join(',')} finding`);
  return toIncident(found[0]!);
}

export function diagnoseWith(
  detector: Detector,
  snapshot: ClusterSnapshot,
  usage?: UsageHistory,
  pick?: (f: Finding) => boolean,
): RootCause {
  const incident = incidentOf(detector, snapshot, pick);
  return diagnose({ snapshot, now: NOW, incident, ...(usage ? { usage } : {}) });
}

export function inRange(value: number, low: number, high: number): boolean {
  return value >= low && value <= high;
}
