// Unschedulable pods on the real scheduler: the root cause names the cpu request line of the
// manifest, and a lowered request, applied to the manifest and then to the cluster, lets the pod be
// placed. In a file of its own: the lowered request is the largest free cpu on a node, which pods of
// other scenarios would otherwise take between the diagnosis and the apply.
import assert from 'node:assert/strict';
import { kubeConfig } from '../harness/kubeKit';
import { type Scenario, scenarioSuite } from './diagnoseKit';

const kc = kubeConfig();

function reportManifest(cpu: string): string {
  return `# The nightly report renderer; the simulated nodes have 4 cpu each.
apiVersion: apps/v1
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
              cpu: "${cpu}"
              memory: 64Mi
`;
}

function millicores(value: string | number | boolean): number {
  const text = String(value);
  return text.endsWith('m') ? Number.parseInt(text, 10) : Number(text) * 1000;
}

const scenarios: Scenario[] = [
  {
    label: 'Unschedulable (cpu 100)',
    title:
      'Unschedulable with a cpu request of 100 on 4-cpu nodes: the request line is the cause; the fix is advice (what fits is under a quarter of the request, so no lower request is proposed)',
    prefix: 'diag-sched100',
    manifest: reportManifest('100'),
    incident: { type: 'Unschedulable', kind: 'Deployment', name: 'report' },
    category: 'insufficient-resources',
    fields: [{ path: 'spec.template.spec.containers[name=report].resources.requests.cpu', line: 'cpu: "100"' }],
    fix: 'advice',
    checkCause: (cause) => {
      assert.match(
        cause.summary,
        /the pod requests 100 cpu, but the largest free cpu on any node is [\d.]+m? \(kwok-node-\d\)/,
      );
      assert.match(cause.fixes[0]!.summary, /Add a node with at least 100 cpu free/);
    },
    unresolvable: 'no lower request proposed below 25 % of the request',
    timeoutMs: 120_000,
  },
  {
    label: 'Unschedulable (cpu 6)',
    title:
      'Unschedulable with a cpu request of 6 on 4-cpu nodes: the request line is the cause; the lowered request fits a node and resolves it',
    prefix: 'diag-sched6',
    manifest: reportManifest('6'),
    allNamespaces: true,
    incident: { type: 'Unschedulable', kind: 'Deployment', name: 'report' },
    category: 'insufficient-resources',
    fields: [{ path: 'spec.template.spec.containers[name=report].resources.requests.cpu', line: 'cpu: "6"' }],
    fix: 'edit',
    checkCause: (cause) => {
      const edit = cause.fixes[0]!.edits![0]!;
      assert.equal(edit.path, 'spec.template.spec.containers[name=report].resources.requests.cpu');
      assert.equal(edit.previous, '6');
      const m = millicores(edit.value);
      assert.ok(m >= 1500 && m <= 4000, `the lowered request ${String(edit.value)} fits a 4-cpu node`);
    },
    timeoutMs: 120_000,
  },
];

scenarioSuite('unschedulable: root causes and fixes', kc, scenarios);
