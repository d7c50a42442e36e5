import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pullSecretMissingDetector, pullSecretsFrom } from '../../../src/core/detect/pullSecretMissing';
import { correlate } from '../../../src/core/diagnose/correlate';
import { imagePullBackOffDetector } from '../../../src/core/detect/imagePullBackOff';
import { ClusterSnapshot, addApp, ago, event, ref, run, runningStatus, template } from './fixtures';
import { diagnoseWith, toIncident } from '../diagnose/helpers';

const MESSAGE = 'Unable to retrieve some image pull secrets (regcred); attempting to pull the image may not succeed.';

function app(s: ClusterSnapshot, opts: { failing?: boolean; createdAgo?: number; inTemplate?: boolean } = {}) {
  const spec = template({ labels: { app: 'web' }, imagePullSecrets: opts.inTemplate === false ? [] : ['regcred'] });
  const podSpec = template({ labels: { app: 'web' }, imagePullSecrets: ['regcred'] });
  const a = addApp(s, 'web', {
    replicas: 2,
    deployment: { template: spec, ...(opts.failing ? { ready: 0 } : {}) },
    pod: () => ({
      spec: podSpec,
      meta: { createdAt: ago(opts.createdAgo ?? 600) },
      ...(opts.failing
        ? {
            phase: 'Pending',
            containerStatuses: [
              runningStatus({
                ready: false,
                started: false,
                state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } },
              }),
            ],
          }
        : {}),
    }),
  });
  for (const p of a.pods)
    s.upsert(
      'Event',
      event(ref('Pod', p.meta.name), 'FailedToRetrieveImagePullSecret', MESSAGE, { lastSeen: ago(300) }),
    );
  return a;
}

test('reads the secret names from the kubelet message', () => {
  assert.deepEqual(pullSecretsFrom(MESSAGE), ['regcred']);
  assert.deepEqual(pullSecretsFrom('Unable to retrieve some image pull secrets (a, b-2); attempting'), ['a', 'b-2']);
  assert.deepEqual(pullSecretsFrom('something else'), []);
});

test('a missing pull secret while the pods run is a warning on the Deployment; the cause names the Secret and the field', () => {
  const s = new ClusterSnapshot();
  app(s);
  const [f, ...rest] = run(pullSecretMissingDetector, s);
  assert.deepEqual(rest, []);
  assert.deepEqual(
    [f!.workload.kind, f!.workload.name, f!.severity, f!.key],
    ['Deployment', 'web', 'warning', 'regcred'],
  );
  assert.match(
    f!.summary,
    /2 of 2 pods of web refer to imagePullSecret regcred, which does not exist \(images pull without it for now\)/,
  );
  const cause = diagnoseWith(pullSecretMissingDetector, s);
  assert.equal(cause.category, 'pull-secret');
  assert.match(cause.summary, /imagePullSecret regcred of Deployment web does not exist in namespace shop$/);
  assert.deepEqual(cause.fields, ['spec.template.spec.imagePullSecrets']);
  assert.match(cause.fixes[0]!.summary, /Create Secret regcred in namespace shop/);
  assert.equal(cause.fixes[0]!.edits, undefined);
});

test('with failing pulls it is critical and the root of the ImagePullBackOff; via the ServiceAccount the fix targets it', () => {
  const s = new ClusterSnapshot();
  app(s, { failing: true, inTemplate: false });
  const [f] = run(pullSecretMissingDetector, s);
  assert.equal(f!.severity, 'critical');
  const cause = diagnoseWith(pullSecretMissingDetector, s);
  assert.match(cause.summary, /comes from ServiceAccount default\), so the image cannot be pulled/);
  assert.deepEqual(cause.fixes[0]!.target, { kind: 'ServiceAccount', namespace: 'shop', name: 'default' });
  const incidents = [...run(pullSecretMissingDetector, s), ...run(imagePullBackOffDetector, s)].map(toIncident);
  assert.equal(incidents.length, 2);
  assert.equal(correlate(incidents, s).get(incidents[1]!.id), incidents[0]!.id);
});

test('no incident for a pod younger than 60 s, nor once the kubelet stopped reporting the secret missing', () => {
  const young = new ClusterSnapshot();
  app(young, { createdAgo: 20 });
  assert.deepEqual(run(pullSecretMissingDetector, young), []);
  const settled = new ClusterSnapshot();
  const a = app(settled);
  for (const e of settled.list('Event')) settled.upsert('Event', { ...e, lastSeen: ago(420) });
  assert.equal(a.pods.length, 2);
  assert.deepEqual(run(pullSecretMissingDetector, settled), [], 'no report for 7 minutes: the Secret exists now');
});
