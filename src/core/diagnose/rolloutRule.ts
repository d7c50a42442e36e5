// Crash after a rollout: the newest revision fails while an older one served. The template of the
// failing revision is diffed against the last healthy one (image, env, command, args, resources,
// probes) and a rollback to that revision is proposed. A stuck rollout without an older revision
// is stuckRolloutRule's.
import type { Evidence } from '../model/incident';
import type { ContainerSpec, ReplicaSet } from '../model/resources';
import type { SpecEdit, SuggestedFix } from '../model/rootCause';
import type { Workload } from '../model/workload';
import { clip, condition, conditionEvidence } from '../detect/support';
import { refOf } from '../model/objectRef';
import { imagesOf } from '../detect/rolloutStuck';
import { podTrouble } from '../detect/pods';
import { completedRegression } from '../detect/rolloutRegressedAfterReady';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { containerPath, diagnosis, q, revisionsOf, type Diagnosis } from './ruleSupport';

export interface TemplateChange {
  container: string;
  /** Spec path relative to the Deployment. */
  path: string;
  what: string;
  before?: string;
  after?: string;
}

const PREFIX = 'spec.template.spec';

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function short(text: string): string {
  return clip(text, 120);
}

function containerChanges(old: ContainerSpec, cur: ContainerSpec, init: boolean): TemplateChange[] {
  const base = containerPath(PREFIX, cur.name, init);
  const out: TemplateChange[] = [];
  if (old.image !== cur.image)
    out.push({ container: cur.name, path: `${base}.image`, what: 'image', before: old.image, after: cur.image });
  if (!same(old.command, cur.command))
    out.push({
      container: cur.name,
      path: `${base}.command`,
      what: 'command',
      before: short(old.command.join(' ')),
      after: short(cur.command.join(' ')),
    });
  if (!same(old.args, cur.args))
    out.push({
      container: cur.name,
      path: `${base}.args`,
      what: 'args',
      before: short(old.args.join(' ')),
      after: short(cur.args.join(' ')),
    });
  if (!same(old.env, cur.env)) {
    const names = new Set([...old.env.map((e) => e.name), ...cur.env.map((e) => e.name)]);
    const changed = [...names].filter(
      (n) =>
        !same(
          old.env.find((e) => e.name === n),
          cur.env.find((e) => e.name === n),
        ),
    );
    out.push({ container: cur.name, path: `${base}.env`, what: `env (${short(changed.slice(0, 5).join(', '))})` });
  }
  for (const kind of ['requests', 'limits'] as const) {
    const keys = new Set([...Object.keys(old.resources[kind]), ...Object.keys(cur.resources[kind])]);
    for (const key of keys) {
      const before = old.resources[kind][key];
      const after = cur.resources[kind][key];
      if (before !== after)
        out.push({
          container: cur.name,
          path: `${base}.resources.${kind}.${key}`,
          what: `${kind}.${key}`,
          ...(before ? { before } : {}),
          ...(after ? { after } : {}),
        });
    }
  }
  for (const probe of ['readinessProbe', 'livenessProbe'] as const) {
    if (!same(old[probe], cur[probe]))
      out.push({
        container: cur.name,
        path: `${base}.${probe}`,
        what: probe,
        ...(old[probe] ? { before: short(old[probe]!.target) } : {}),
        ...(cur[probe] ? { after: short(cur[probe]!.target) } : {}),
      });
  }
  return out;
}

/** What changed between two revisions' pod templates, container by container. */
export function diffTemplates(previous: ReplicaSet, current: ReplicaSet): TemplateChange[] {
  const out: TemplateChange[] = [];
  for (const init of [false, true]) {
    const olds = init ? previous.template.initContainers : previous.template.containers;
    const curs = init ? current.template.initContainers : current.template.containers;
    for (const cur of curs) {
      const old = olds.find((o) => o.name === cur.name);
      if (old) out.push(...containerChanges(old, cur, init));
      else
        out.push({
          container: cur.name,
          path: containerPath(PREFIX, cur.name, init),
          what: 'container added',
          after: cur.image,
        });
    }
    for (const old of olds)
      if (!curs.some((c) => c.name === old.name))
        out.push({
          container: old.name,
          path: containerPath(PREFIX, old.name, init),
          what: 'container removed',
          before: old.image,
        });
  }
  return out;
}

function changeText(c: TemplateChange): string {
  if (c.before !== undefined && c.after !== undefined)
    return `${q(c.container)} ${c.what} changed from ${q(c.before, 120)} to ${q(c.after, 120)}`;
  if (c.after !== undefined) return `${q(c.container)} ${c.what} set to ${q(c.after, 120)}`;
  if (c.before !== undefined) return `${q(c.container)} ${c.what} removed (was ${q(c.before, 120)})`;
  return `${q(c.container)} ${c.what} changed`;
}

export interface BadRollout {
  current: ReplicaSet;
  healthy: ReplicaSet;
  changes: TemplateChange[];
}

/** The failing newest revision and the newest older one that served (ready > 0), else the one before it. */
export function findBadRollout(ctx: DiagnoseContext): BadRollout | undefined {
  const sets = revisionsOf(ctx.snapshot, ctx.incident.workload);
  const [current, ...older] = sets;
  if (!current || older.length === 0) return undefined;
  if (current.ready >= Math.max(current.desired, 1) && !servedUntilRollout(ctx)) return undefined;
  const healthy = older.find((rs) => rs.ready > 0 || rs.available > 0) ?? older[0]!;
  return { current, healthy, changes: diffTemplates(healthy, current) };
}

/** A completed rollout whose new pods crash: the previous revision served until it was scaled to 0. */
function servedUntilRollout(ctx: DiagnoseContext): boolean {
  const { snapshot, incident, now } = ctx;
  const d =
    incident.workload.kind === 'Deployment'
      ? snapshot.getWorkload('Deployment', incident.workload.namespace, incident.workload.name)
      : undefined;
  return d !== undefined && completedRegression(snapshot, d, now) !== undefined;
}

/** "after the 600s progress deadline (spec.progressDeadlineSeconds)". */
export function deadlineText(d: Pick<Workload, 'progressDeadlineSeconds'> | undefined): string {
  return `after the ${d?.progressDeadlineSeconds ?? 600}s progress deadline (spec.progressDeadlineSeconds)`;
}

function diagnoseRollout(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  const d =
    incident.workload.kind === 'Deployment'
      ? snapshot.getWorkload('Deployment', incident.workload.namespace, incident.workload.name)
      : undefined;
  const progressing = d ? condition(d.conditions, 'Progressing') : undefined;
  const stuck = incident.type === 'RolloutStuck';
  const deadline = stuck ? deadlineText(d) : '';
  const bad = findBadRollout(ctx);
  if (!bad) return undefined;
  const { current, healthy, changes } = bad;
  const scaledAway = servedUntilRollout(ctx) && healthy.revision < current.revision && healthy.desired === 0;
  if (incident.type === 'CrashLoopBackOff') {
    const crashing = snapshot
      .ownedBy('Pod', current.meta.uid)
      .some((p) =>
        p.containerStatuses.some((s) => s.name === incident.key && s.state.waiting?.reason === 'CrashLoopBackOff'),
      );
    if (!crashing || (healthy.ready <= 0 && healthy.available <= 0 && !scaledAway)) return undefined;
  }
  const newPods = snapshot.ownedBy('Pod', current.meta.uid).filter((p) => !p.meta.deletedAt);
  const troubles = [...new Set(newPods.map(podTrouble).filter((t): t is string => t !== undefined))];
  const served = healthy.ready > 0 || healthy.available > 0 || scaledAway;
  const image = changes.find((c) => c.what === 'image');
  const lead = image ?? changes[0];
  const summary = `revision ${current.revision} fails${troubles.length > 0 ? ` (${q(troubles.slice(0, 2).join(', '), 60)})` : ''}${stuck ? ` ${deadline}` : ''} since ${lead ? changeText(lead) : 'its rollout, with an unchanged pod template'}; revision ${healthy.revision} ${scaledAway ? 'served until the rollout scaled it to 0' : served ? 'was healthy' : 'ran before it'}`;
  const changeEvidence: Evidence[] = changes.slice(0, 6).map((c) => ({
    kind: 'revision',
    source: refOf('ReplicaSet', current.meta),
    field: c.path,
    text: clip(`revision ${healthy.revision} → ${current.revision}: ${changeText(c)}`),
  }));
  const edits: SpecEdit[] = changes
    .filter((c) => c.what === 'image' && c.before)
    .map((c) => ({ path: c.path, value: c.before!, ...(c.after ? { previous: c.after } : {}) }));
  const fixes: SuggestedFix[] = [
    { summary: `Roll back to revision ${healthy.revision}`, rollbackToRevision: healthy.revision },
  ];
  if (edits.length > 0)
    fixes.push({
      summary: `Restore the image of revision ${healthy.revision} (${q(String(edits[0]!.value), 120)})`,
      edits,
    });
  let confidence = changes.length > 0 ? 0.85 : 0.6;
  if (!served) confidence -= 0.2;
  return diagnosis({
    category: 'bad-rollout',
    summary,
    explanation: `Revision ${current.revision} (${q(imagesOf(current), 200)}) has ${current.ready} of ${current.desired} pods ready while revision ${healthy.revision} (${q(imagesOf(healthy), 200)}) had ${healthy.ready}. ${changes.length > 0 ? `Template changes: ${changes.slice(0, 6).map(changeText).join('; ')}.` : 'The pod template did not change; look at what it refers to (ConfigMaps, Secrets, dependencies).'}`,
    confidence,
    fields: [...changes.map((c) => c.path), stuck ? 'spec.progressDeadlineSeconds' : undefined],
    evidence: [
      {
        kind: 'revision',
        source: refOf('ReplicaSet', current.meta),
        field: "metadata.annotations['deployment.kubernetes.io/revision']",
        text: clip(`revision ${current.revision}: ${current.ready} of ${current.desired} ready; ${imagesOf(current)}`),
        count: current.ready,
      },
      {
        kind: 'revision',
        source: refOf('ReplicaSet', healthy.meta),
        field: "metadata.annotations['deployment.kubernetes.io/revision']",
        text: clip(`revision ${healthy.revision}: ${healthy.ready} of ${healthy.desired} ready; ${imagesOf(healthy)}`),
        count: healthy.ready,
      },
      ...changeEvidence,
      stuck && progressing ? conditionEvidence(incident.workload, progressing) : undefined,
      ...incident.evidence.filter((e) => e.kind === 'status' && e.source.kind === 'Pod'),
    ],
    fixes,
  });
}

export const rolloutRule: DiagnosisRule = {
  types: ['RolloutRegression', 'RolloutStuck', 'CrashLoopBackOff'],
  diagnose: diagnoseRollout,
};
