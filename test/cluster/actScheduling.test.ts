// The act loop for an Unschedulable workload through the CLI: the cpu request lowered to what a node
// has free is verified, applied and lets the pod schedule; the rollback asks for 6 cpu again and the
// incident returns. In a file of its own, run with no other test file beside it: the request that
// fits is the largest free cpu on a node, which pods of a concurrent scenario would take.
import assert from 'node:assert/strict';
import { kubeConfig } from '../harness/kubeKit';
import { actSuite, type ActScenario } from './actScenarios';

const kc = kubeConfig();

const reportManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: report
spec:
  replicas: 1
  selector:
    matchLabels:
      app: report
  template:
    metadata:
      labels:
        app: report
    spec:
      containers:
        - name: report
          image: registry.example/shop/report:1.0
          resources:
            requests:
              cpu: "6"
              memory: 64Mi
`;

const scenarios: ActScenario[] = [
  {
    label: 'requests that fit (Unschedulable)',
    title:
      'requests that fit: the cpu request lowered to what a node has free lets the pod schedule; the rollback asks for 6 cpu again',
    prefix: 'act-sched',
    manifest: reportManifest,
    incident: { type: 'Unschedulable', kind: 'Deployment', name: 'report' },
    check: (json) => assert.equal(json['proposal']['fixKind'], 'requests'),
    waitSeconds: 150,
    timeoutMs: 150_000,
  },
];

actSuite('act loop for a request that fits a node, through the CLI', kc, scenarios, { concurrency: false });
