// Masking on root causes the real rules produce: whatever the rules write into summaries,
// explanations, evidence and fixes, no namespace, workload, pod, image or host name survives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imagePullBackOffDetector } from '../../../src/core/detect/imagePullBackOff';
import { Masker } from '../../../src/agent/llm/masking';
import { buildPrompt } from '../../../src/agent/llm/prompt';
import { ClusterSnapshot, addApp, cond, container, event, ref, runningStatus, template } from '../detect/fixtures';
import { diagnoseWith, incidentOf } from '../diagnose/helpers';

const notReady = [cond('PodScheduled', 'True'), cond('Ready', 'False', { reason: 'ContainersNotReady' })];

for (const [label, image, message] of [
  [
    'unreachable registry',
    'registry.secret-corp.dev/orders/ledger-api:1.2',
    'dial tcp: lookup registry.secret-corp.dev: no such host',
  ],
  ['unauthorized', 'registry.secret-corp.dev/orders/ledger-api:2.0', 'failed to authorize: 401 Unauthorized'],
  ['missing tag', 'registry.secret-corp.dev/orders/ledger-api:nope', 'rpc error: code = NotFound desc = not found'],
] as const) {
  test(`rule output for an image pull (${label}) masks every name`, () => {
    const s = new ClusterSnapshot();
    const app = addApp(s, 'ledger-api', {
      namespace: 'orders-prod',
      replicas: 1,
      deployment: {
        template: template({ labels: { app: 'ledger-api' }, containers: [container({ name: 'ledger', image })] }),
      },
      pod: () => ({
        spec: template({ labels: { app: 'ledger-api' }, containers: [container({ name: 'ledger', image })] }),
        containerStatuses: [
          runningStatus({
            name: 'ledger',
            ready: false,
            image,
            state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } },
          }),
        ],
        conditions: notReady,
      }),
    });
    s.upsert(
      'Event',
      event(ref('Pod', app.pods[0]!.meta.name, 'orders-prod'), 'Failed', `Failed to pull image "${image}": ${message}`),
    );
    const incident = incidentOf(imagePullBackOffDetector, s);
    const cause = { ...diagnoseWith(imagePullBackOffDetector, s), source: 'rules' as const };
    const masker = Masker.forRootCause(cause, incident);
    const prompt = buildPrompt(cause, incident, masker);
    for (const name of [
      'orders-prod',
      'ledger-api',
      'secret-corp',
      'orders/ledger-api',
      app.pods[0]!.meta.name,
      'ledger',
    ]) {
      assert.ok(!prompt.user.includes(name), `${name} leaked in ${prompt.user}`);
    }
    assert.equal(masker.unmaskValue(JSON.parse(prompt.user)).rootCause.summary, cause.summary);
  });
}
