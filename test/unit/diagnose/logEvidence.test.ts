import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logExcerpt, tailEvidence } from '../../../src/core/diagnose/logEvidence';
import { crashLoopBackOffDetector } from '../../../src/core/detect/crashLoopBackOff';
import { jobFailedDetector } from '../../../src/core/detect/jobFailed';
import { logRequests, LogFetcher } from '../../../src/agent/logFetcher';
import { Masker } from '../../../src/agent/llm/masking';
import type { ContainerStatus, LogRequest, LogTail } from '../../../src/core/model/resources';
import {
  ClusterSnapshot,
  NOW,
  addApp,
  ago,
  cond,
  container,
  job,
  owner,
  pod,
  runningStatus,
  template,
} from '../detect/fixtures';
import { diagnoseWith, incidentOf } from './helpers';

const crashing: ContainerStatus = runningStatus({
  name: 'api',
  ready: false,
  restartCount: 5,
  state: { waiting: { reason: 'CrashLoopBackOff' } },
  lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt: ago(20) } },
});
const LOG = [
  '2026-03-01T11:59:00.000000000Z stdout F level=info msg="starting api"',
  'level=info msg="config loaded"',
  'level=warn msg="retrying in 1s"',
  'Error: connect ECONNREFUSED 10.96.12.7:5432 (db.shop.svc.cluster.local)',
  'exit status 1',
];

function tail(podName: string, lines: string[], extra: Partial<LogTail> = {}): LogTail {
  return {
    namespace: 'shop',
    pod: podName,
    container: 'api',
    previous: true,
    restartCount: 5,
    lines,
    fetchedAt: NOW.toISOString(),
    ...extra,
  };
}

function crashApp(s: ClusterSnapshot) {
  const spec = template({ labels: { app: 'checkout' }, containers: [container({ name: 'api' })] });
  return addApp(s, 'checkout', {
    replicas: 1,
    deployment: { template: spec, ready: 0 },
    pod: () => ({ spec, containerStatuses: [crashing], conditions: [cond('Ready', 'False')] }),
  });
}

test('the first error-looking line and the exit context, with the CRI prefix stripped', () => {
  assert.deepEqual(logExcerpt(LOG), {
    errorLine: 'Error: connect ECONNREFUSED 10.96.12.7:5432 (db.shop.svc.cluster.local)',
    exitContext: [
      'level=warn msg="retrying in 1s"',
      'Error: connect ECONNREFUSED 10.96.12.7:5432 (db.shop.svc.cluster.local)',
      'exit status 1',
    ],
  });
  assert.deepEqual(logExcerpt(['ok', 'still ok']), { exitContext: ['ok', 'still ok'] });
  assert.equal(
    logExcerpt([`panic: ${'x'.repeat(5000)}\u001b[31m`]).errorLine!.length <= 300,
    true,
    'a hostile line is bounded',
  );
});

test('a crash loop is explained by the log of the crashed run; the log is evidence and masked for the LLM like any string', () => {
  const s = new ClusterSnapshot();
  const app = crashApp(s);
  s.setLogTail(tail(app.pods[0]!.meta.name, LOG));
  const cause = diagnoseWith(crashLoopBackOffDetector, s);
  assert.match(
    cause.summary,
    /container api exited with a generic application error \(exit 1\): Error: connect ECONNREFUSED/,
  );
  const log = cause.evidence.find((e) => e.kind === 'log')!;
  assert.equal(log.source.name, app.pods[0]!.meta.name);
  assert.match(log.text, /previous run of api logged: "Error: connect ECONNREFUSED 10\.96\.12\.7:5432/);
  assert.match(cause.explanation, /The log of the crashed run says why/);
  const masker = Masker.forRootCause(cause, incidentOf(crashLoopBackOffDetector, s));
  const masked = masker.mask(log.text);
  assert.ok(
    !masked.includes('10.96.12.7') &&
      !masked.includes('db.shop.svc.cluster.local') &&
      !masked.includes(app.pods[0]!.meta.name),
    masked,
  );
});

test('Forbidden and "no logs" are evidence saying so, and the cause stands without them', () => {
  const s = new ClusterSnapshot();
  const app = crashApp(s);
  s.setLogTail(
    tail(app.pods[0]!.meta.name, [], { unavailable: 'Forbidden: the current user may not read pod logs (pods/log)' }),
  );
  const cause = diagnoseWith(crashLoopBackOffDetector, s);
  assert.match(
    cause.evidence.find((e) => e.kind === 'log')!.text,
    /log of the previous run of api not available: Forbidden/,
  );
  assert.match(cause.summary, /exited with a generic application error/);
  assert.equal(
    tailEvidence(
      tail('x', [], { unavailable: 'no logs (previous terminated container "api" not found)' }),
      app.pods[0]!,
      false,
    ).reason,
    'NoLogs',
  );
});

test("a failed Job quotes its last container's log", () => {
  const s = new ClusterSnapshot();
  const j = job('import', {
    succeeded: 0,
    failed: 2,
    backoffLimit: 1,
    conditions: [cond('Failed', 'True', { reason: 'BackoffLimitExceeded' })],
    template: template({ restartPolicy: 'Never', containers: [container({ name: 'api' })] }),
  });
  s.upsert('Job', j);
  s.upsert(
    'Pod',
    pod('import-a', {
      meta: { owners: [owner('Job', 'import', j.meta.uid)] },
      phase: 'Failed',
      containerStatuses: [
        runningStatus({
          name: 'api',
          ready: false,
          state: { terminated: { reason: 'Error', exitCode: 1, finishedAt: ago(30) } },
        }),
      ],
    }),
  );
  s.setLogTail(tail('import-a', LOG, { previous: false, restartCount: 0 }));
  const cause = diagnoseWith(jobFailedDetector, s);
  assert.match(cause.summary, /container api exited with a generic application error.*: Error: connect ECONNREFUSED/);
  assert.ok(cause.evidence.some((e) => e.kind === 'log' && /last run of api logged/.test(e.text)));
});

test("the monitor reads only the failing container of the incident's pods, each run once", async () => {
  const s = new ClusterSnapshot();
  crashApp(s);
  const incident = incidentOf(crashLoopBackOffDetector, s);
  const requests = logRequests(s, incident);
  assert.deepEqual(
    requests.map((r) => [r.container, r.previous, r.restartCount]),
    [['api', true, 5]],
  );
  const asked: LogRequest[] = [];
  const fetcher = new LogFetcher(s, async (r) => {
    asked.push(r);
    return tail(r.pod, LOG);
  });
  await fetcher.fetch(incident);
  await fetcher.fetch(incident);
  await fetcher.idle();
  assert.equal(asked.length, 1, 'the same run is read once');
  assert.ok(s.logTailOf('shop', requests[0]!.pod, 'api'));
  const healthy = new ClusterSnapshot();
  addApp(healthy, 'calm', { replicas: 2 });
  assert.deepEqual(
    logRequests(healthy, { ...incident, workload: { kind: 'Deployment', namespace: 'shop', name: 'calm' } }),
    [],
    'no failed run, nothing to read',
  );
});
