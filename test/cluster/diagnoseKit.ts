// Pieces for the diagnosis tests: manifests as YAML text applied to the cluster, a product session
// whose monitor has the usage history, the root cause as soon as it names what is expected, and a
// suggested fix applied the way a developer would (edit the manifest, then apply it; or roll back).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { indexManifests, locateField, sameObject, type FieldLocation } from '../../src/core/manifest/manifestIndex';
import { parseFieldPath, readAtPath, setAtPath } from '../../src/core/model/fieldPath';
import { applyEdit, editField } from '../../src/core/manifest/manifestEdit';
import { fixPatch, fixTarget } from '../../src/core/diagnose/fixes';
import type { Incident, IncidentType } from '../../src/core/model/incident';
import type { ObjectRef } from '../../src/core/model/resources';
import type { CauseCategory, RootCause, SuggestedFix } from '../../src/core/model/rootCause';
import { scratchNamespace, waitFor, watchIncidents, type WatchedNamespace } from '../harness/kubeKit';

export const FIELD_MANAGER = 'nimbusguard-diagnose-test';

type Obj = Record<string, unknown>;

/** Every object of a multi-document manifest, as plain data. */
export function parseManifest(text: string): k8s.KubernetesObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      assert.deepEqual(doc.errors, [], 'the manifest parses');
      return doc.toJS() as k8s.KubernetesObject | null;
    })
    .filter((o): o is k8s.KubernetesObject => o !== null && typeof o === 'object');
}

/**
 * Server-side applies every object of the manifest into `namespace`, in file order, as one field
 * manager (so a later apply of the edited manifest owns the same fields). A ResourceQuota is waited
 * for until the quota controller has counted it, so the objects after it are measured against it.
 */
export async function applyManifest(kc: k8s.KubeConfig, text: string, namespace: string): Promise<void> {
  const api = k8s.KubernetesObjectApi.makeApiClient(kc);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  for (const object of parseManifest(text)) {
    const body = { ...object, metadata: { ...object.metadata, namespace } };
    await api.patch(body, undefined, undefined, FIELD_MANAGER, true, k8s.PatchStrategy.ServerSideApply);
    if (object.kind === 'ResourceQuota') {
      const name = object.metadata!.name!;
      await waitFor(
        `quota ${name} to be counted`,
        async () => (await core.readNamespacedResourceQuota({ name, namespace })).status?.hard !== undefined,
        30_000,
      );
    }
  }
}

/** The zero-based line of the only line of `text` that contains `needle`. */
export function lineOf(text: string, needle: string): number {
  const lines = text.split('\n').flatMap((l, i) => (l.includes(needle) ? [i] : []));
  assert.equal(lines.length, 1, `exactly one line of the manifest contains ${JSON.stringify(needle)}`);
  return lines[0]!;
}

/** The document of the manifest that holds the object. */
export function documentOf(text: string, ref: Pick<ObjectRef, 'kind' | 'name' | 'namespace'>): number {
  const hit = indexManifests(text).find((m) => sameObject(m, ref));
  assert.ok(hit, `the manifest holds ${ref.kind}/${ref.name}`);
  return hit.document;
}

/** Where a spec path of the cause lands in the manifest; it must exist there to its full depth. */
export function locateInManifest(
  text: string,
  ref: Pick<ObjectRef, 'kind' | 'name' | 'namespace'>,
  field: string,
): FieldLocation {
  const loc = locateField(text, documentOf(text, ref), field);
  assert.ok(loc, `${field} is found in ${ref.kind}/${ref.name}`);
  assert.equal(
    loc.matchedDepth,
    parseFieldPath(field).length,
    `${field} exists in the manifest to its full depth (matched ${loc.matchedDepth} steps, line ${loc.line + 1}: ${text.split('\n')[loc.line]?.trim()})`,
  );
  return loc;
}

// ---- the product session ----------------------------------------------------------------------

export type DiagnosisSession = WatchedNamespace;

/** A ClusterSession on the namespaces and an IncidentMonitor over it that diagnoses with the session's usage history. */
export function diagnosisSession(namespaces: string[], opts: { metrics?: boolean } = {}): Promise<DiagnosisSession> {
  return watchIncidents(namespaces, opts);
}

export interface Diagnosed {
  incident: Incident;
  cause: RootCause;
  /** From the incident's firstSeen to the first root cause that met the expectation. */
  diagnosisMs: number;
}

function describeOpen(monitor: DiagnosisSession['monitor']): string {
  return (
    monitor
      .open()
      .map((i) => `${i.type} ${i.workload.kind}/${i.workload.name}`)
      .join(', ') || 'none'
  );
}

/**
 * Waits for an open incident of `type` on the object and then for its root cause to satisfy
 * `ready` (the cause can sharpen while evidence arrives). The cause is asked for as soon as the
 * monitor reports a change, and every 100 ms in between; the last cause is kept for the message.
 */
export function waitForDiagnosis(
  monitor: DiagnosisSession['monitor'],
  type: IncidentType,
  ref: Pick<ObjectRef, 'kind' | 'name' | 'namespace'>,
  ready: (cause: RootCause) => boolean,
  timeoutMs: number,
): Promise<Diagnosed> {
  return new Promise((resolve, reject) => {
    let incident: Incident | undefined;
    let last: RootCause | undefined;
    const finish = (done: () => void) => {
      sub.dispose();
      clearInterval(poll);
      clearTimeout(timer);
      done();
    };
    const check = () => {
      incident ??= monitor
        .open()
        .find(
          (i) =>
            i.type === type &&
            i.workload.kind === ref.kind &&
            i.workload.name === ref.name &&
            i.workload.namespace === ref.namespace,
        );
      if (!incident) return;
      const cause = monitor.rootCause(incident.id);
      if (!cause) return;
      last = cause;
      if (ready(cause)) {
        const found = monitor.get(incident.id) ?? incident;
        finish(() => resolve({ incident: found, cause, diagnosisMs: Date.now() - Date.parse(found.firstSeen) }));
      }
    };
    const sub = monitor.onDidChange(check);
    const poll = setInterval(check, 100);
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new Error(
              incident
                ? `the root cause of ${type} on ${ref.kind}/${ref.name} never met the expectation; last: ${JSON.stringify(last && { category: last.category, summary: last.summary, fields: last.fields, fixes: last.fixes })}`
                : `timed out after ${timeoutMs / 1000}s waiting for ${type} on ${ref.kind}/${ref.name}; open incidents: ${describeOpen(monitor)}`,
            ),
          ),
        ),
      timeoutMs,
    );
    check();
  });
}

/** Resolves once the incident is resolved (or no longer tracked as open). */
export async function waitForResolved(
  monitor: DiagnosisSession['monitor'],
  incident: Incident,
  timeoutMs: number,
): Promise<Incident> {
  return waitFor(
    `${incident.type} on ${incident.workload.kind}/${incident.workload.name} to resolve`,
    () => {
      const now = monitor.get(incident.id);
      if (now?.status === 'resolved') return now;
      if (!monitor.open().some((i) => i.id === incident.id)) return { ...incident, status: 'resolved' as const };
      return undefined;
    },
    timeoutMs,
    250,
  ).catch((error: Error) => {
    const cause = monitor.rootCause(incident.id);
    throw new Error(
      `${error.message}; still open: ${describeOpen(monitor)}${cause ? `; cause now: ${cause.summary}` : ''}`,
    );
  });
}

// ---- applying fixes to the manifest ------------------------------------------------------------

/**
 * Applies a fix's edits to the manifest text the way the editor's quick fix does (editField +
 * applyEdit per edit), and checks that each edit changes the text only at the edited value and
 * the object only at the edited path.
 */
export function editManifest(
  text: string,
  ref: Pick<ObjectRef, 'kind' | 'name' | 'namespace'>,
  fix: SuggestedFix,
): string {
  assert.ok(fix.edits && fix.edits.length > 0, `the fix has edits: ${fix.summary}`);
  let out = text;
  for (const edit of fix.edits) {
    const document = documentOf(out, ref);
    const before = parseAllDocuments(out).map((d) => d.toJS() as Obj);
    const change = editField(out, document, edit.path, edit.value);
    assert.ok(change, `editField can edit ${edit.path} in ${ref.kind}/${ref.name}`);
    const next = applyEdit(out, change);
    const lines = out.split('\n');
    const offset = (line: number, col: number) => lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0) + col;
    const replaced = out.slice(offset(change.startLine, change.startColumn), offset(change.endLine, change.endColumn));
    if (edit.previous !== undefined && replaced !== '')
      assert.equal(
        replaced.replace(/^["']|["']$/g, ''),
        String(edit.previous),
        `the edit replaces the previous value of ${edit.path}`,
      );
    assert.equal(
      next.slice(0, offset(change.startLine, change.startColumn)),
      out.slice(0, offset(change.startLine, change.startColumn)),
      'the text before the edited value is unchanged',
    );
    assert.ok(
      next.endsWith(out.slice(offset(change.endLine, change.endColumn))),
      'the text after the edited value is unchanged',
    );
    const after = parseAllDocuments(next).map((d) => d.toJS() as Obj);
    const expected = structuredClone(before);
    setAtPath(expected[document]!, edit.path, edit.value);
    assert.ok(
      isDeepStrictEqual(after, expected),
      `the manifest changes only at ${edit.path}: ${JSON.stringify(after[document])}`,
    );
    out = next;
  }
  // The edited manifest has what the fix's strategic merge patch would set.
  const patch = fixPatch(fix);
  assert.ok(patch, 'the fix has a patch');
  const object = parseAllDocuments(out).map((d) => d.toJS() as Obj)[documentOf(out, ref)]!;
  for (const edit of fix.edits)
    assert.deepEqual(
      readAtPath(object, edit.path),
      edit.value,
      `${edit.path} is ${String(edit.value)} in the edited manifest`,
    );
  return out;
}

/**
 * What `kubectl rollout undo --to-revision` does: the pod template of the ReplicaSet with that
 * revision (without its pod-template-hash label) replaces the Deployment's. Returns that template.
 */
export async function rollbackDeployment(
  kc: k8s.KubeConfig,
  namespace: string,
  name: string,
  revision: number,
): Promise<k8s.V1PodTemplateSpec> {
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const d = await apps.readNamespacedDeployment({ name, namespace });
  const sets = (await apps.listNamespacedReplicaSet({ namespace })).items.filter((rs) =>
    rs.metadata?.ownerReferences?.some((o) => o.uid === d.metadata?.uid),
  );
  const rs = sets.find((x) => x.metadata?.annotations?.['deployment.kubernetes.io/revision'] === String(revision));
  assert.ok(
    rs?.spec?.template,
    `ReplicaSet of revision ${revision} exists (have ${sets.map((x) => x.metadata?.annotations?.['deployment.kubernetes.io/revision']).join(', ')})`,
  );
  const template = structuredClone(rs.spec.template);
  delete template.metadata?.labels?.['pod-template-hash'];
  await apps.patchNamespacedDeployment(
    { name, namespace, body: [{ op: 'replace', path: '/spec/template', value: template }] },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
  );
  return template;
}

// ---- the results table --------------------------------------------------------------------------

export interface ScenarioResult {
  scenario: string;
  category: string;
  field: string;
  fix: string;
  resolved: string;
  diagnosisMs: number | undefined;
  resolveMs?: number | undefined;
}

export function resultsTable(rows: readonly ScenarioResult[]): string[] {
  const header = [
    'scenario',
    'category',
    'field',
    'fix applied',
    'resolved',
    'incident→diagnosis ms',
    'fix→resolved s',
  ];
  const body = rows.map((r) => [
    r.scenario,
    r.category,
    r.field,
    r.fix,
    r.resolved,
    r.diagnosisMs === undefined ? '-' : String(r.diagnosisMs),
    r.resolveMs === undefined ? '-' : (r.resolveMs / 1000).toFixed(1),
  ]);
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...body.map((cells) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`),
  ];
}

// ---- scenarios ----------------------------------------------------------------------------------

export interface Scenario {
  /** The row in the results table. */
  label: string;
  title: string;
  prefix: string;
  manifest: string;
  metrics?: boolean;
  /** Watch every namespace (the session then sees what other namespaces' pods take on the nodes). */
  allNamespaces?: boolean;
  /** Creates the objects instead of applying `manifest` once; returns the manifest text as it then is. */
  setup?: (namespace: string) => Promise<string>;
  incident: { type: IncidentType; kind: string; name: string };
  /** Further incidents on the same object that must have the same cause and resolve with the same fix. */
  companions?: IncidentType[];
  category: CauseCategory;
  /** Spec paths the cause must name, each with the text of the manifest line it must land on. */
  fields: { path: string; line: string }[];
  /** edit: apply fixes[fixIndex]'s edits; rollback: roll back to fixes[0].rollbackToRevision; advice: fixes[0] is advice only. */
  fix: 'edit' | 'rollback' | 'advice';
  fixIndex?: number;
  checkCause?: (cause: RootCause) => void;
  /** For advice: the change a developer makes by hand following it; the incident must then resolve. */
  byHand?: { describe: string; edit: (manifest: string) => string };
  /** For a rollback: the manifest text once the rollback is reflected in it. */
  manifestAfterFix?: string;
  /** Why a spec change cannot resolve this incident (advice without a hand edit). */
  unresolvable?: string;
  timeoutMs: number;
}

function fixReady(s: Scenario, cause: RootCause): boolean {
  const fix = cause.fixes[s.fix === 'edit' ? (s.fixIndex ?? 0) : 0];
  if (!fix) return false;
  if (s.fix === 'edit') return (fix.edits?.length ?? 0) > 0;
  if (s.fix === 'rollback') return fix.rollbackToRevision !== undefined;
  return true;
}

function isAdvice(fix: SuggestedFix | undefined): boolean {
  return fix !== undefined && (fix.edits?.length ?? 0) === 0 && fix.rollbackToRevision === undefined;
}

/** One scenario end to end; its row is added to `results` whatever happens. */
export async function runScenario(kc: k8s.KubeConfig, s: Scenario, results: ScenarioResult[]): Promise<void> {
  const row: ScenarioResult = {
    scenario: s.label,
    category: '-',
    field: '-',
    fix: '-',
    resolved: 'no',
    diagnosisMs: undefined,
  };
  results.push(row);
  const ns = await scratchNamespace(kc, s.prefix);
  const watched = await diagnosisSession(s.allNamespaces ? [] : [ns.name], { metrics: s.metrics ?? false });
  try {
    const manifest = s.setup ? await s.setup(ns.name) : (await applyManifest(kc, s.manifest, ns.name), s.manifest);
    const ref = { kind: s.incident.kind, name: s.incident.name, namespace: ns.name };
    const expected = (cause: RootCause) =>
      cause.category === s.category && s.fields.every((f) => cause.fields.includes(f.path)) && fixReady(s, cause);
    const { incident, cause, diagnosisMs } = await waitForDiagnosis(
      watched.monitor,
      s.incident.type,
      ref,
      expected,
      s.timeoutMs,
    );
    row.category = cause.category;
    row.field = s.fields[0]!.path;
    row.diagnosisMs = diagnosisMs;

    // The cause: its category, the spec paths, and the manifest lines they land on.
    assert.equal(cause.category, s.category, cause.summary);
    assert.equal(cause.source, 'rules');
    for (const f of s.fields) {
      assert.ok(cause.fields.includes(f.path), `fields ${JSON.stringify(cause.fields)} include ${f.path}`);
      const loc = locateInManifest(manifest, ref, f.path);
      assert.equal(
        loc.line,
        lineOf(manifest, f.line),
        `${f.path} lands on the line "${f.line}" (got line ${loc.line + 1}: ${manifest.split('\n')[loc.line]?.trim()})`,
      );
    }
    assert.ok(cause.fixes.length > 0, 'a fix is suggested');
    s.checkCause?.(cause);

    const companions = [];
    for (const type of s.companions ?? []) {
      const other = await waitForDiagnosis(watched.monitor, type, ref, expected, s.timeoutMs);
      assert.equal(other.cause.category, s.category, `${type}: ${other.cause.summary}`);
      assert.deepEqual(other.cause.fixes[0]?.edits, cause.fixes[0]?.edits, `${type} has the same fix`);
      companions.push(other.incident);
    }

    let fixedAt: number | undefined;
    if (s.fix === 'edit') {
      const fix = cause.fixes[s.fixIndex ?? 0]!;
      const target = fixTarget(fix, incident);
      const edited = editManifest(manifest, target, fix);
      assert.notEqual(edited, manifest);
      await applyManifest(kc, edited, ns.name);
      fixedAt = Date.now();
      row.fix = `${fix.edits!.map((e) => `${target.kind === s.incident.kind ? '' : `${target.kind}/${target.name} `}${e.path.replace(/^spec\.template\.spec\.containers\[name=[^\]]+\]\./, '…')}: ${String(e.previous ?? '∅')} → ${String(e.value)}`).join(', ')}`;
    } else if (s.fix === 'rollback') {
      const revision = cause.fixes[0]!.rollbackToRevision!;
      const template = await rollbackDeployment(kc, ns.name, s.incident.name, revision);
      fixedAt = Date.now();
      let text = manifest;
      const document = documentOf(text, ref);
      for (const c of template.spec!.containers) {
        const change = editField(text, document, `spec.template.spec.containers[name=${c.name}].image`, c.image!);
        assert.ok(change);
        text = applyEdit(text, change);
      }
      assert.equal(
        text,
        s.manifestAfterFix,
        'the manifest, with the rollback reflected in it, is that of the healthy revision',
      );
      row.fix = `rollback to revision ${revision}`;
    } else {
      assert.ok(isAdvice(cause.fixes[0]), `the first fix is advice: ${JSON.stringify(cause.fixes[0])}`);
      assert.ok(cause.fixes.every(isAdvice), `no fix edits the spec: ${JSON.stringify(cause.fixes)}`);
      if (s.byHand) {
        await applyManifest(kc, s.byHand.edit(manifest), ns.name);
        fixedAt = Date.now();
        row.fix = `advice; ${s.byHand.describe}`;
      } else {
        row.fix = 'advice only';
        row.resolved = `n/a (${s.unresolvable})`;
      }
    }
    if (fixedAt !== undefined) {
      for (const open of [incident, ...companions]) await waitForResolved(watched.monitor, open, s.timeoutMs);
      row.resolveMs = Date.now() - fixedAt;
      row.resolved = 'yes';
    }
  } catch (error) {
    row.resolved = `FAILED: ${error instanceof Error ? error.message.split('\n')[0]!.slice(0, 160) : String(error)}`;
    throw error;
  } finally {
    watched.dispose();
    await ns.remove();
  }
}

/** Registers the scenarios as concurrent tests, then a test that prints the results table. */
export function scenarioSuite(title: string, kc: k8s.KubeConfig, scenarios: readonly Scenario[]): void {
  const results: ScenarioResult[] = [];
  describe(title, { concurrency: true }, () => {
    for (const s of scenarios) test(s.title, { timeout: 300_000 }, () => runScenario(kc, s, results));
  });
  test('results', (t) => {
    const order = scenarios.map((s) => s.label);
    const rows = [...results].sort((a, b) => order.indexOf(a.scenario) - order.indexOf(b.scenario));
    for (const line of resultsTable(rows)) t.diagnostic(line);
    assert.equal(rows.length, order.length, 'every scenario ran');
  });
}
