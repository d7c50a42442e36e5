import { test } from 'node:test';
import assert from 'node:assert/strict';
import { incidentMarkdown } from '../../../src/ui/incidentMarkdown';
import { crashLoopBackOffDetector } from '../../../src/core/detect/crashLoopBackOff';
import type { ContainerStatus } from '../../../src/core/model/resources';
import { ClusterSnapshot, NOW, addApp, ago, cond, container, runningStatus, template } from '../detect/fixtures';
import { diagnoseWith, incidentOf } from '../diagnose/helpers';

const crashing: ContainerStatus = runningStatus({
  name: 'api', ready: false, restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } },
  lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt: ago(20) } },
});

test('the explanation document shows the log line of the crashed run, escaped as data', () => {
  const s = new ClusterSnapshot();
  const spec = template({ labels: { app: 'checkout' }, containers: [container({ name: 'api' })] });
  const app = addApp(s, 'checkout', { replicas: 1, deployment: { template: spec, ready: 0 }, pod: () => ({ spec, containerStatuses: [crashing], conditions: [cond('Ready', 'False')] }) });
  s.setLogTail({ namespace: 'shop', pod: app.pods[0]!.meta.name, container: 'api', previous: true, restartCount: 2, lines: ['boot', 'panic: [click](command:evil) *nil map*'], fetchedAt: NOW.toISOString() });
  const cause = diagnoseWith(crashLoopBackOffDetector, s);
  const doc = incidentMarkdown(incidentOf(crashLoopBackOffDetector, s), undefined, NOW, cause);
  const line = doc.split('\n').find((l) => l.startsWith('- log · Pod/'));
  assert.ok(line, doc);
  assert.match(line, /previous run of api logged: "panic: \\\[click\\\]\\\(command:evil\\\) \\\*nil map\\\*"/);
});
