import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HOVER_EVIDENCE_ITEMS,
  HOVER_LINE_MAX,
  escapeMarkdown,
  incidentTooltip,
  insightHoverMarkdown,
} from '../../../src/ui/incidentMarkdown';
import { crashLoopBackOffDetector } from '../../../src/core/detect/crashLoopBackOff';
import type { ContainerStatus } from '../../../src/core/model/resources';
import type { Evidence } from '../../../src/core/model/incident';
import { COMMANDS } from '../../../src/ui/commandIds';
import { ClusterSnapshot, NOW, addApp, ago, cond, container, runningStatus, template } from '../detect/fixtures';
import { diagnoseWith, incidentOf } from '../diagnose/helpers';

const crashing: ContainerStatus = runningStatus({
  name: 'api',
  ready: false,
  restartCount: 3,
  state: { waiting: { reason: 'CrashLoopBackOff' } },
  lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt: ago(20) } },
});
const HOSTILE =
  'panic: bad config <img src=x onerror=alert(1)> see [docs](command:nimbusguard.applyFix?%5B%5D) $(bug) **now** a &lt;b&gt; `x`';

/** A crash loop of checkout whose crashed run logged `lines`. */
function crashWithLog(lines: string[]) {
  const s = new ClusterSnapshot();
  const spec = template({ labels: { app: 'checkout' }, containers: [container({ name: 'api' })] });
  const app = addApp(s, 'checkout', {
    replicas: 1,
    deployment: { template: spec, ready: 0 },
    pod: () => ({ spec, containerStatuses: [crashing], conditions: [cond('Ready', 'False')] }),
  });
  s.setLogTail({
    namespace: 'shop',
    pod: app.pods[0]!.meta.name,
    container: 'api',
    previous: true,
    restartCount: 3,
    lines,
    fetchedAt: NOW.toISOString(),
  });
  return { incident: incidentOf(crashLoopBackOffDetector, s), cause: diagnoseWith(crashLoopBackOffDetector, s) };
}

/** What a reader sees once the Markdown escapes are taken away. */
const unescaped = (md: string) => md.replace(/\\(.)/g, '$1');
/** Link targets that Markdown would render as links (their brackets not escaped). */
const links = (md: string) => [...md.matchAll(/(?<!\\)\]\((?!\\)([^)\s]*)/g)].map((m) => m[1]!);

test('the hover on the manifest line quotes the log line of the crashed run, as text', () => {
  const { incident, cause } = crashWithLog(['level=info msg="starting api"', HOSTILE, 'exit status 1']);
  const md = insightHoverMarkdown([{ incident, related: [], cause }]);
  const evidence = md.split('\n').filter((l) => l.startsWith('- '));
  const log = evidence.find((l) => unescaped(l).includes('LogError previous run of api logged:'));
  assert.ok(log, md);
  assert.ok(unescaped(log).includes(`logged: "${HOSTILE}"`), log);
  // A reason the text already starts with is not said twice.
  assert.ok(
    evidence.some((l) => /^- Pod\/checkout-\S+: Error, exit code 1$/.test(unescaped(l))),
    evidence.join('\n'),
  );
  // Markup, link, icon and entity syntax from the log are escaped, so they render as the characters they are.
  assert.ok(log.includes('\\<img src=x onerror=alert\\(1\\)\\>'), log);
  assert.ok(log.includes('\\[docs\\]\\(command:nimbusguard'), log);
  assert.ok(log.includes('\\$\\(bug\\)') && log.includes('\\&lt;b\\&gt;') && log.includes('\\*\\*now\\*\\*'), log);
  assert.doesNotMatch(md, /(?<!\\)</, 'no raw HTML anywhere');
  const args = encodeURIComponent(JSON.stringify([incident.id]));
  assert.deepEqual(links(md), [
    `command:${COMMANDS.explainIncident}?${args}`,
    `command:${COMMANDS.showEvidence}?${args}`,
  ]);
  // The summary on the first line quotes the error too.
  assert.ok(unescaped(md.split('\n')[0]!).includes('panic: bad config <img src=x onerror=alert(1)>'), md);
});

test('evidence lines in the hover are bounded, and the log line is listed even after many others', () => {
  const { incident, cause } = crashWithLog([`panic: ${'x'.repeat(5000)}`]);
  const many: Evidence[] = Array.from({ length: 9 }, (_, i) => ({
    kind: 'event',
    source: { kind: 'Pod', namespace: 'shop', name: `checkout-${i}` },
    text: `BackOff ${'restarting failed container '.repeat(40)}`,
  }));
  const log = cause.evidence.find((e) => e.kind === 'log')!;
  const md = insightHoverMarkdown([
    {
      incident,
      related: [],
      cause: { ...cause, evidence: [...many, ...cause.evidence.filter((e) => e !== log), log] },
    },
  ]);
  const items = md.split('\n').filter((l) => l.startsWith('- '));
  assert.equal(items.length, HOVER_EVIDENCE_ITEMS);
  assert.ok(items.at(-1)!.includes('LogError'), items.at(-1));
  for (const item of items) assert.ok(unescaped(item).length <= HOVER_LINE_MAX + 2, `${unescaped(item).length}`);
});

test('escapeMarkdown leaves no character that Markdown would read as syntax', () => {
  const text = '<a href="x">&amp;</a> [x](command:y) `z` *b* _i_ # h | t ~s~ $(icon) !{}+-.\\';
  const escaped = escapeMarkdown(text);
  assert.equal(unescaped(escaped), text);
  assert.doesNotMatch(escaped, /(?<!\\)[<>&[\]()`*_#|~$]/);
});

test("the tree item's tooltip names the cause, log line verbatim, once the incident is diagnosed", () => {
  const { incident, cause } = crashWithLog([HOSTILE, 'exit status 1']);
  const before = incidentTooltip(incident, undefined).split('\n');
  assert.deepEqual(before, [`CrashLoopBackOff (critical)`, incident.summary]);
  const after = incidentTooltip(incident, cause).split('\n');
  assert.equal(after.length, 3);
  assert.ok(after[2]!.startsWith('Cause: container api exited') && after[2]!.includes(HOSTILE), after[2]);
});
