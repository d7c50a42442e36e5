// An ImagePullBackOff on a private registry: every kind of name the masker must hide appears in
// the structured fields and in free text.
import type { Incident } from '../../../src/core/model/incident';
import type { RootCause } from '../../../src/core/model/rootCause';

export const NAMES = {
  namespace: 'payments-prod',
  workload: 'checkout-api',
  pod: 'checkout-api-7d9f8b6c4-x2x9z',
  container: 'api',
  image: 'registry.acme-corp.io/payments/checkout-api',
  registry: 'registry.acme-corp.io',
  node: 'ip-10-0-3-17.eu-west-1.compute.internal',
  ip: '10.0.3.17',
  host: 'ledger.acme-corp.io',
} as const;

const podRef = { kind: 'Pod', namespace: NAMES.namespace, name: NAMES.pod };
const workloadRef = { kind: 'Deployment', namespace: NAMES.namespace, name: NAMES.workload };

export function incident(): Incident {
  return {
    id: 'imagepullbackoff-0123456789abcdef',
    type: 'ImagePullBackOff',
    severity: 'critical',
    workload: workloadRef,
    key: NAMES.container,
    summary: `${NAMES.workload}: container ${NAMES.container} cannot pull its image`,
    evidence: [
      {
        kind: 'event',
        source: podRef,
        reason: 'Failed',
        count: 7,
        text: `Failed to pull image "${NAMES.image}:1.4.3": rpc error: code = NotFound desc = failed to resolve reference "${NAMES.image}:1.4.3": ${NAMES.registry}/v2/payments/checkout-api/manifests/1.4.3: not found`,
      },
    ],
    status: 'open',
    firstSeen: '2026-03-01T11:50:00.000Z',
    lastSeen: '2026-03-01T12:00:00.000Z',
  };
}

export function rootCause(): RootCause {
  return {
    incidentId: 'imagepullbackoff-0123456789abcdef',
    incidentType: 'ImagePullBackOff',
    category: 'image-pull',
    summary: `tag 1.4.3 of ${NAMES.image} does not exist`,
    explanation: `The pod ${NAMES.pod} on node ${NAMES.node} (${NAMES.ip}) cannot start because ${NAMES.registry} has no tag 1.4.3; the app would talk to https://${NAMES.host}:8443/ once up.`,
    confidence: 0.9,
    fields: [`spec.template.spec.containers[name=${NAMES.container}].image`],
    evidence: [
      {
        kind: 'event',
        source: podRef,
        reason: 'Failed',
        count: 7,
        text: `Failed to pull image "${NAMES.image}:1.4.3": not found`,
      },
      {
        kind: 'spec',
        source: workloadRef,
        field: `spec.template.spec.containers[name=${NAMES.container}].image`,
        text: `image ${NAMES.image}:1.4.3`,
      },
      {
        kind: 'status',
        source: { kind: 'Node', namespace: '', name: NAMES.node },
        text: `node ${NAMES.node} Ready, address ${NAMES.ip}`,
      },
    ],
    fixes: [
      {
        summary: `Use the last tag that pulled: ${NAMES.image}:1.4.2`,
        edits: [
          {
            path: `spec.template.spec.containers[name=${NAMES.container}].image`,
            value: `${NAMES.image}:1.4.2`,
            previous: `${NAMES.image}:1.4.3`,
          },
        ],
      },
      { summary: 'Roll back to revision 6', rollbackToRevision: 6 },
    ],
    source: 'rules',
  };
}
