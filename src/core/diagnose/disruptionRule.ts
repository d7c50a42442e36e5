// A PodDisruptionBudget that allows no disruption: the budget itself (it asks for every pod it
// counts) or the pods (too few healthy). The cause names the budget, its selector and its pods; a
// budget that can never allow an eviction gets an edit that leaves room for one, or, for a single
// replica, one more replica on the workload.
import type { ObjectRef, PodDisruptionBudget } from '../model/resources';
import type { SuggestedFix } from '../model/rootCause';
import { condition, labelSelectorText } from '../detect/support';
import { budgetNeverAllows, budgetText, podsOfBudget } from '../detect/disruptionBlocked';
import { isPodReady, livePods, PodIndex, podTrouble } from '../detect/pods';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { delegateToPods } from './delegate';
import { count, diagnosis, q, type Diagnosis } from './ruleSupport';
import type { TargetedFix } from './fixes';

function neverFixes(pdb: PodDisruptionBudget, owners: ObjectRef[]): (SuggestedFix | undefined)[] {
  const pods = pdb.expectedPods;
  const owner = owners.length === 1 ? owners[0] : undefined;
  const scalable = owner && (owner.kind === 'Deployment' || owner.kind === 'StatefulSet');
  if (pdb.maxUnavailable !== undefined) {
    return [
      {
        summary: 'Allow one pod at a time to be evicted: maxUnavailable 1',
        edits: [{ path: 'spec.maxUnavailable', value: 1, previous: pdb.maxUnavailable }],
      },
    ];
  }
  if (pods >= 2) {
    return [
      {
        summary: `Keep ${pods - 1} of ${pods} pods during disruptions: minAvailable ${pods - 1}`,
        edits: [
          {
            path: 'spec.minAvailable',
            value: pods - 1,
            ...(pdb.minAvailable !== undefined ? { previous: pdb.minAvailable } : {}),
          },
        ],
      },
    ];
  }
  const scale: TargetedFix | undefined = scalable
    ? {
        summary: `Run 2 replicas of ${owner.kind} ${q(owner.name)}, so one can be evicted while the other serves`,
        edits: [{ path: 'spec.replicas', value: 2, previous: 1 }],
        target: owner,
      }
    : undefined;
  return [scale, { summary: 'Or accept a short outage during drains: replace minAvailable with maxUnavailable 1' }];
}

function diagnoseDisruption(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  const pdb = snapshot.get('PodDisruptionBudget', incident.workload.namespace, incident.workload.name);
  if (!pdb) return undefined;
  const pods = podsOfBudget(livePods(snapshot), pdb);
  const index = PodIndex.of(snapshot);
  const owners = new Map<string, ObjectRef>();
  for (const p of pods) {
    const o = index.ownerOf(p);
    owners.set(`${o.kind}/${o.name}`, o);
  }
  const ownerList = [...owners.values()];
  const ownerText = ownerList.map((o) => `${o.kind} ${o.name}`).join(', ') || 'no workload';
  const selector = labelSelectorText(pdb.selector, pdb.selectorExpressions);
  const podNames =
    pods
      .slice(0, 5)
      .map((p) => p.meta.name)
      .join(', ') + (pods.length > 5 ? ', …' : '');
  const fields = [pdb.minAvailable !== undefined ? 'spec.minAvailable' : 'spec.maxUnavailable', 'spec.selector'];
  const allowed = condition(pdb.conditions, 'DisruptionAllowed');
  if (allowed?.reason === 'SyncFailed') {
    return diagnosis({
      category: 'disruption-budget',
      summary: `the disruption controller cannot evaluate PDB ${q(pdb.meta.name)} (selector ${q(selector, 100)}): ${q(allowed.message ?? 'SyncFailed', 200)}`,
      explanation:
        'Until the controller can count the pods the budget selects, it allows no disruption at all. Typical causes: a selected pod without a controller (or with a controller that has no scale subresource) under a percentage or maxUnavailable budget, or several budgets selecting the same pods.',
      confidence: 0.75,
      fields: ['spec.selector', fields[0]],
      evidence: incident.evidence,
      fixes: [
        {
          summary:
            'Fix what the message names: give the selected pods a controller, use an integer minAvailable, or narrow the selector so one budget covers each pod',
        },
      ],
    });
  }
  if (budgetNeverAllows(pdb)) {
    return diagnosis({
      category: 'disruption-budget',
      summary: `PDB ${q(pdb.meta.name)} (selector ${q(selector, 100)}) counts ${count(pdb.expectedPods, 'pod')} (${q(podNames, 120)}) and requires ${q(budgetText(pdb), 60)}: no pod may ever be evicted`,
      explanation: `The budget asks for every pod it counts to stay up, so the eviction API refuses every eviction of ${q(ownerText, 120)}. kubectl drain retries forever, node upgrades and the cluster autoscaler wait on these pods, and only deleting pods by hand (bypassing the budget) moves them.`,
      confidence: 0.9,
      fields,
      evidence: incident.evidence,
      fixes: neverFixes(pdb, ownerList),
    });
  }
  const unhealthy = pods.filter((p) => !isPodReady(p));
  const inner = ownerList.length === 1 ? delegateToPods(ctx, ownerList[0]) : undefined;
  return diagnosis({
    category: 'disruption-budget',
    summary: `PDB ${q(pdb.meta.name)} (selector ${q(selector, 100)}) counts ${count(pdb.expectedPods, 'pod')} of ${q(ownerText, 80)} but only ${pdb.currentHealthy} ${pdb.currentHealthy === 1 ? 'is' : 'are'} healthy and ${pdb.desiredHealthy} required: ${
      unhealthy.length > 0
        ? `${q(
            unhealthy
              .slice(0, 3)
              .map((p) => `${p.meta.name} (${podTrouble(p) ?? 'not ready'})`)
              .join(', '),
            160,
          )} block every eviction`
        : 'evictions are refused'
    }${inner ? `; ${inner.summary}` : ''}`,
    explanation: `The budget itself leaves room for disruptions, but unhealthy pods use it up: until they are healthy again, evicting any other pod would break ${q(budgetText(pdb), 60)}. ${inner ? inner.explanation : 'Why the pods are unhealthy is not clear from the snapshot.'}`,
    confidence: inner ? Math.min(0.85, inner.confidence) : 0.6,
    fields,
    evidence: [...incident.evidence, ...(inner?.evidence ?? [])],
    fixes: (inner?.fixes ?? [{ summary: `Find out why the pods of ${q(ownerText, 80)} are not healthy` }]).map(
      (f): SuggestedFix =>
        ownerList.length === 1
          ? {
              ...f,
              summary: `On ${ownerList[0]!.kind} ${q(ownerList[0]!.name)}: ${f.summary}`,
              target: f.target ?? ownerList[0]!,
            }
          : f,
    ),
  });
}

export const disruptionRule: DiagnosisRule = {
  types: ['DisruptionBlocked'],
  diagnose: diagnoseDisruption,
};
