// The registry of detectors, and one pass over all of them.
import type { DetectContext, Detector } from './detector';
import type { Finding } from '../model/incident';
import { memo } from './support';
import { crashLoopBackOffDetector } from './crashLoopBackOff';
import { oomKilledDetector } from './oomKilled';
import { imagePullBackOffDetector } from './imagePullBackOff';
import { createContainerConfigErrorDetector } from './createContainerConfigError';
import { unschedulableDetector } from './unschedulable';
import { evictedDetector } from './evicted';
import { readinessProbeFailingDetector } from './readinessProbeFailing';
import { replicasUnavailableDetector } from './replicasUnavailable';
import { rolloutStuckDetector } from './rolloutStuck';
import { rolloutRegressionDetector } from './rolloutRegression';
import { quotaExceededDetector } from './quotaExceeded';
import { serviceNoEndpointsDetector } from './serviceNoEndpoints';
import { pvcPendingDetector } from './pvcPending';
import { nodeNotReadyDetector } from './nodeNotReady';
import { nodePressureDetector } from './nodePressure';
import { hpaSaturatedDetector } from './hpaSaturated';
import { hpaMisconfiguredDetector } from './hpaMisconfigured';
import { jobFailedDetector } from './jobFailed';
import { cronJobSuspendedOrInvalidDetector } from './cronJobSuspendedOrInvalid';
import { webhookUnavailableDetector } from './webhookUnavailable';
import { ingressMisconfiguredDetector } from './ingressMisconfigured';
import { disruptionBlockedDetector } from './disruptionBlocked';
import { statefulSetMisconfiguredDetector } from './statefulSetMisconfigured';
import { volumeLostDetector } from './volumeLost';
import { nodeProblemDetector } from './nodeProblem';
import { gatewayMisconfiguredDetector } from './gatewayMisconfigured';
import { podSetupFailedDetector } from './podSetupFailed';
import { podCreationRejectedDetector } from './podCreationRejected';
import { containerFailedDetector } from './containerFailed';
import { pullSecretMissingDetector } from './pullSecretMissing';
import { networkPolicyBlockedDetector } from './networkPolicyBlocked';

export const DETECTORS: readonly Detector[] = [
  crashLoopBackOffDetector,
  oomKilledDetector,
  imagePullBackOffDetector,
  createContainerConfigErrorDetector,
  unschedulableDetector,
  evictedDetector,
  readinessProbeFailingDetector,
  replicasUnavailableDetector,
  rolloutStuckDetector,
  rolloutRegressionDetector,
  quotaExceededDetector,
  serviceNoEndpointsDetector,
  pvcPendingDetector,
  nodeNotReadyDetector,
  nodePressureDetector,
  hpaSaturatedDetector,
  hpaMisconfiguredDetector,
  jobFailedDetector,
  cronJobSuspendedOrInvalidDetector,
  webhookUnavailableDetector,
  // Objects that refer to missing ones, or block others.
  ingressMisconfiguredDetector,
  disruptionBlockedDetector,
  statefulSetMisconfiguredDetector,
  volumeLostDetector,
  nodeProblemDetector,
  gatewayMisconfiguredDetector,
  podSetupFailedDetector,
  podCreationRejectedDetector,
  containerFailedDetector,
  pullSecretMissingDetector,
  networkPolicyBlockedDetector,
];

export interface DetectorError {
  /** The incident types of the detector that failed. */
  detector: string;
  message: string;
}

export interface DetectResult {
  findings: Finding[];
  errors: DetectorError[];
}

/**
 * Runs every detector; one that throws is reported in `errors` and the others still run. A
 * detector's findings are kept for the snapshot version and instant they were computed at, so the
 * agent's per-incident confirmation over an unchanged snapshot (a scan's frozen one) costs no
 * second pass: on 10,000 pods one pass of a pod-wide detector takes a few hundred milliseconds.
 */
export function detectAll(ctx: DetectContext, detectors: readonly Detector[] = DETECTORS): DetectResult {
  const findings: Finding[] = [];
  const errors: DetectorError[] = [];
  const at = ctx.now.getTime();
  for (const detector of detectors) {
    try {
      const kept = memo(ctx.snapshot, `findings:${detector.types.join(',')}`, () => ({
        at: NaN,
        found: [] as Finding[],
      }));
      if (kept.at !== at) {
        kept.found = detector.detect(ctx);
        kept.at = at;
      }
      const found = kept.found;
      if (Array.isArray(found)) findings.push(...found);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      errors.push({
        detector: detector.types.join(','),
        message: message.length > 500 ? `${message.slice(0, 499)}…` : message,
      });
    }
  }
  return { findings, errors };
}
