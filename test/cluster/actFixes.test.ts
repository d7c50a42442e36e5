// The act loop on the real control plane, per fix family the diagnosis proposes: verify → apply →
// the incident resolves → rollback restores the exact before-image → the incident returns, all
// through `nimbusguard fix` / `rollback` / `history`, with the audit log proving that nothing is
// written before the confirmation.
// Runs beside other test files: its own scratch namespaces only, nothing cluster-scoped.
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { kubeConfig, waitFor } from '../harness/kubeKit';
import { applyManifest } from './diagnoseKit';
import { actSuite, type ActScenario } from './actScenarios';
import { oomManifest } from './actKit';

const kc = kubeConfig();
const apps = kc.makeApiClient(k8s.AppsV1Api);

const webV1 = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: registry.example/shop/web:1.0
          resources:
            requests:
              cpu: 10m
              memory: 32Mi
            limits:
              memory: 128Mi
`;
const webV2 = webV1.replace('image: registry.example/shop/web:1.0', 'image: unreachable.invalid/shop/web:2.0');

const scenarios: ActScenario[] = [
  {
    label: 'memory limit (OOMKilled)',
    title: 'memory limit: raising it resolves the OOM kills; the rollback puts 128Mi back and they return',
    prefix: 'act-oom',
    manifest: oomManifest,
    incident: { type: 'OOMKilled', kind: 'Deployment', name: 'api' },
    check: (json) => {
      assert.equal(json['proposal']['fixKind'], 'memory-limit');
      assert.equal(json['proposal']['risk'], 'low');
      const path = 'spec.template.spec.containers[name=api].resources.limits.memory';
      assert.deepEqual(json['change']['before'][path], { present: true, value: '128Mi' });
      assert.ok(json['change']['after'][path].present && json['change']['after'][path].value !== '128Mi');
    },
    waitSeconds: 150,
    timeoutMs: 150_000,
  },
  {
    label: 'rollback to revision (RolloutRegression)',
    title:
      "rollback to revision: revision 1 comes back and the regression resolves; undoing it restores revision 2's template and the regression returns",
    prefix: 'act-rollout',
    manifest: webV1,
    setup: async (namespace) => {
      await applyManifest(kc, webV1, namespace);
      await waitFor(
        'revision 1 to be ready',
        async () => (await apps.readNamespacedDeployment({ name: 'web', namespace })).status?.readyReplicas === 2,
        60_000,
      );
      await applyManifest(kc, webV2, namespace);
    },
    incident: { type: 'RolloutRegression', kind: 'Deployment', name: 'web' },
    // The image-pull incident of the same rollout offers the image edit first; this family is the revision rollback.
    fixArgs: ['--type', 'RolloutRegression'],
    check: (json) => {
      assert.equal(json['proposal']['rollbackToRevision'], 1);
      assert.equal(json['proposal']['fixKind'], 'revision-rollback');
      assert.deepEqual(json['proposal']['fields'], ['spec.template']);
    },
    waitSeconds: 200,
    timeoutMs: 200_000,
  },
];

actSuite('act loop through the CLI: verify, apply, resolve, roll back, return', kc, scenarios);
