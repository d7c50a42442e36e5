// The shadow pod's timeline on the real control plane: what the Verification panel receives while a
// shadow check runs (progress events), and what the verdict keeps. A fix that works shows the pod
// come up and go; the unfixed template shows the OOM kill; a shadow refused by a quota shows
// FailedCreate. The shadow is gone in every case.
// Runs beside other test files: its own scratch namespaces only, nothing cluster-scoped.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { ActService } from '../../src/agent/actService';
import { Ledger } from '../../src/agent/ledger';
import { ApiClient } from '../../src/cluster/actions/apiClient';
import { ShadowRunner } from '../../src/cluster/actions/shadow';
import type { ShadowTimelineEntry, VerifyProgress } from '../../src/core/model/proposal';
import { kubeConfig, scratchNamespace, waitForIncident, watchIncidents } from '../harness/kubeKit';
import { applyManifest } from './diagnoseKit';
import { oomManifest } from './actKit';

const kc = kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);

const shadows = async (namespace: string) =>
  (await core.listNamespacedPod({ namespace, labelSelector: 'nimbusguard.dev/shadow=true' })).items;
const steps = (t: readonly ShadowTimelineEntry[]) => t.map((e) => e.step);

test(
  'verifying a fix with a shadow streams the shadow pod timeline (created → scheduled → started → Ready → removed) and the verdict keeps it',
  { timeout: 300_000 },
  async (t) => {
    const ns = await scratchNamespace(kc, 'shadow-timeline');
    await applyManifest(kc, oomManifest, ns.name);
    const watched = await watchIncidents([ns.name]);
    const api = new ApiClient(kubeConfig());
    const act = new ActService({
      api,
      snapshot: watched.session.snapshot,
      incidents: watched.monitor,
      ledger: new Ledger('shadow-timeline', mkdtempSync(join(tmpdir(), 'ng-ledger-'))),
      shadow: new ShadowRunner(api),
    });
    try {
      await waitForIncident(watched.monitor, 'OOMKilled', 'Deployment', 'api', ns.name, 120_000);
      await watched.monitor.idle();
      const proposal = act.proposalsFor({ kind: 'Deployment', namespace: ns.name, name: 'api' }).proposals[0];
      assert.ok(proposal, 'a memory-limit fix is proposed');
      const received: { at: number; event: VerifyProgress }[] = [];
      const sub = act.onProgress((event) => received.push({ at: Date.now(), event }));
      const verified = await act.verify(proposal, { shadow: true });
      sub.dispose();

      const shadowEvents = received.filter((r) => r.event.check === 'shadow');
      const started = shadowEvents.findIndex((r) => r.event.phase === 'started');
      const finished = shadowEvents.findIndex((r) => r.event.phase === 'finished');
      const timelines = shadowEvents.flatMap((r, i) =>
        r.event.phase === 'timeline' ? [{ i, at: r.at, timeline: r.event.timeline }] : [],
      );
      t.diagnostic(
        `timeline updates: ${timelines.map((u) => `${steps(u.timeline).join(',')} @${u.at - received[0]!.at}ms`).join(' | ')}`,
      );
      assert.ok(started >= 0 && finished > started, 'the shadow check started and finished');
      assert.ok(timelines.length >= 3, `the timeline came in several updates while it ran (${timelines.length})`);
      assert.ok(
        timelines.every((u) => u.i > started && u.i < finished),
        'every timeline update arrives while the shadow check runs',
      );
      // Live: the pod was Ready long before the check ended (the window is at least 30 s).
      const firstReady = timelines.find((u) => u.timeline.some((e) => e.step === 'ready'))!;
      assert.ok(firstReady, 'Ready was reported');
      assert.ok(
        shadowEvents[finished]!.at - firstReady.at >= 20_000,
        `Ready reached the panel while the shadow still ran (${shadowEvents[finished]!.at - firstReady.at} ms before the verdict)`,
      );
      for (let i = 1; i < timelines.length; i++)
        assert.ok(timelines[i]!.timeline.length >= timelines[i - 1]!.timeline.length, 'the timeline only grows');

      const last = timelines[timelines.length - 1]!.timeline;
      const order = ['created', 'scheduled', 'started', 'ready', 'removed'];
      assert.deepEqual(
        steps(last).filter((s) => order.includes(s)),
        order,
        `the steps in order: ${JSON.stringify(last)}`,
      );
      assert.ok(!steps(last).some((s) => s === 'oomKilled' || s === 'restarted'), 'the fixed shadow never failed');
      assert.match(last.find((e) => e.step === 'scheduled')!.text, /on node \S+/);
      assert.match(last.find((e) => e.step === 'removed')!.text, /confirmed gone/);
      const times = last.map((e) => Date.parse(e.at));
      assert.deepEqual(
        [...times].sort((a, b) => a - b),
        times,
        'in time order',
      );

      const kept = verified.verdict.checks.find((c) => c.name === 'shadow')!;
      assert.equal(kept.result, 'pass', kept.detail);
      assert.deepEqual(kept.timeline, last, 'the verdict keeps the timeline the panel showed last');
      assert.equal((await shadows(ns.name)).length, 0, 'the shadow is gone');
    } finally {
      act.dispose();
      watched.dispose();
      await ns.remove();
    }
  },
);

test(
  'the unfixed template OOM-kills its shadow: the timeline shows it start, the kill with its exit code, then the removal',
  { timeout: 180_000 },
  async (t) => {
    const ns = await scratchNamespace(kc, 'shadow-oom');
    try {
      await applyManifest(kc, oomManifest, ns.name);
      const d = await apps.readNamespacedDeployment({ name: 'api', namespace: ns.name });
      const template = JSON.parse(JSON.stringify(d.spec!.template)) as Record<string, unknown>;
      const updates: ShadowTimelineEntry[][] = [];
      const result = await new ShadowRunner(new ApiClient(kubeConfig())).run(
        { namespace: ns.name, ownerName: 'api', template, timeToFailure: [], failingSummary: 'unfixed' },
        undefined,
        (timeline) => updates.push(timeline),
      );
      assert.equal(result.result, 'fail', result.detail);
      const last = result.timeline!;
      t.diagnostic(last.map((e) => `${e.at} ${e.step}: ${e.text}`).join('\n'));
      assert.deepEqual(updates[updates.length - 1], last, 'the last update is what the result keeps');
      assert.ok(
        steps(last).includes('oomKilled'),
        `the OOM kill is on the timeline: ${last.map((e) => e.text).join(' | ')}`,
      );
      assert.match(last.find((e) => e.step === 'oomKilled')!.text, /container api OOMKilled, exit code 137/);
      assert.ok(steps(last).indexOf('started') < steps(last).indexOf('oomKilled'), 'started before it was killed');
      assert.equal(last[last.length - 1]!.step, 'removed');
      assert.equal((await shadows(ns.name)).length, 0, 'the shadow is gone');
    } finally {
      await ns.remove();
    }
  },
);

test('a shadow a quota refuses has a one-step FailedCreate timeline with the server message', async () => {
  const ns = await scratchNamespace(kc, 'shadow-quota');
  try {
    await applyManifest(
      kc,
      `apiVersion: v1
kind: ResourceQuota
metadata:
  name: no-pods
spec:
  hard:
    pods: "0"
`,
      ns.name,
    );
    const updates: ShadowTimelineEntry[][] = [];
    const result = await new ShadowRunner(new ApiClient(kubeConfig())).run(
      {
        namespace: ns.name,
        ownerName: 'api',
        template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'x/api:1' }] } },
        timeToFailure: [],
        failingSummary: 'none',
      },
      undefined,
      (timeline) => updates.push(timeline),
    );
    assert.equal(result.result, 'inconclusive', result.detail);
    assert.deepEqual(steps(result.timeline!), ['failedCreate']);
    assert.match(result.timeline![0]!.text, /^FailedCreate: .*exceeded quota/);
    assert.equal(updates.length, 1, 'the panel received it');
  } finally {
    await ns.remove();
  }
});
