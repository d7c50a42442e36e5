// Verification of one proposal: plans the exact write against the object as it is now, then runs
// the checks in the contract's order, reporting each as it starts and ends. The verdict binds the
// plan by its hash; nothing here writes to the cluster (every request is a review or a dry-run).
import {
  checkOwnership,
  checkPermissions,
  checkPodAdmission,
  dryRunWrite,
  ssaOwnershipProbe,
} from '../cluster/actions/checks';
import { controllerOf, isPlainKubectl } from '../core/change/ownership';
import { forDiff, PlanError, planWrite, type PlannedWrite } from '../cluster/actions/writePlan';
import { changeAnnotations } from '../cluster/actions/writer';
import { toPodTemplate } from '../cluster/convert';
import {
  disruptionCheck,
  fitCheck,
  predictedHpaReplicas,
  quotaCheck,
  rolloutBudget,
  type CapacityFinding,
  type CapacityInput,
} from '../core/change/capacity';
import { podRequests } from '../core/diagnose/unschedulableRule';
import { judgeVerdict, orderChecks, skipped } from '../core/change/verdict';
import { sameImage } from '../core/change/fieldImage';
import {
  ACT_API_VERSION,
  CHECK_NAMES,
  type CheckName,
  type CheckResult,
  type Proposal,
  type Verdict,
} from '../core/model/proposal';
import type { Pod } from '../core/model/resources';
import { shadowObstacle } from '../cluster/actions/shadow';
import type { ActContext } from './actContext';
import { hpaScaleDown, replayCheck, replicasScaleDown } from './scalingProposals';
import { mergeFindings } from '../core/change/scaleDown';
import { NO_NEW_TEMPLATE, shadowOutOfScope } from '../core/change/shadowScope';
import { isPodTemplateKind } from '../core/model/workload';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw Kubernetes JSON, read field by field
type Obj = Record<string, any>;

export interface VerifyOptions {
  shadow: boolean;
  /** Why the shadow does not run, when `shadow` is false (shown as the skip reason). */
  shadowSkipReason?: string;
  signal?: AbortSignal;
  /** For a rollback of a revision rollback: the pod template to put back. */
  restoreTemplate?: Obj;
  /** Checks that only inform (rollbacks restore a failing state on purpose): never lower the verdict. */
  informational?: CheckName[];
}

export interface Verified {
  verdict: Verdict;
  planned?: PlannedWrite;
}

function touchesTemplate(p: Proposal): boolean {
  return p.fields.some((f) => f === 'spec.template' || f.startsWith('spec.template.'));
}

function podsOfTarget(ctx: ActContext, p: Proposal): Pod[] {
  const uid = p.target.uid;
  if (!uid) return [];
  if (p.target.kind === 'Deployment')
    return ctx.snapshot.ownedBy('ReplicaSet', uid).flatMap((rs) => ctx.snapshot.ownedBy('Pod', rs.meta.uid));
  return ctx.snapshot.ownedBy('Pod', uid);
}

function hpaFor(ctx: ActContext, p: Proposal): string | undefined {
  return ctx.snapshot
    .list('HorizontalPodAutoscaler', p.target.namespace)
    .find((h) => h.target.kind === p.target.kind && h.target.name === p.target.name)?.meta.name;
}

function fromFinding(name: CheckName, f: CapacityFinding, started: number): CheckResult {
  return {
    name,
    result: f.result,
    detail: f.detail,
    evidence: f.evidence,
    warnings: f.warnings,
    durationMs: Math.round(performance.now() - started),
  };
}

export async function verifyProposal(ctx: ActContext, proposal: Proposal, opts: VerifyOptions): Promise<Verified> {
  const checks: CheckResult[] = [];
  const run = async (name: CheckName, body: () => Promise<CheckResult> | CheckResult): Promise<CheckResult> => {
    ctx.progress({ proposalId: proposal.id, check: name, phase: 'started' });
    let r: CheckResult;
    const started = performance.now();
    try {
      r = await body();
    } catch (error) {
      r = {
        name,
        result: 'inconclusive',
        detail: `the check failed to run: ${error instanceof Error ? error.message : String(error)}`,
        evidence: [],
        warnings: [],
        durationMs: Math.round(performance.now() - started),
      };
    }
    if (opts.informational?.includes(name) && (r.result === 'fail' || r.result === 'inconclusive')) {
      r = { ...r, result: 'skipped', detail: `informational (never blocks a rollback): ${r.result} — ${r.detail}` };
    }
    checks.push(r);
    ctx.progress({ proposalId: proposal.id, check: name, phase: 'finished', result: r });
    return r;
  };
  const verifiedAt = ctx.now().toISOString();

  let planned: PlannedWrite | undefined;
  let planError: string | undefined;
  try {
    planned = await planWrite(ctx.api, proposal, opts.restoreTemplate);
  } catch (error) {
    if (!(error instanceof PlanError)) throw error;
    planError = error.message;
  }
  if (!planned) {
    await run('dryRun', () => ({
      name: 'dryRun',
      result: 'fail',
      detail: planError!,
      evidence: [],
      warnings: [],
      durationMs: 0,
    }));
    for (const name of CHECK_NAMES) if (name !== 'dryRun') checks.push(skipped(name, 'there is no write to check'));
    const ordered = orderChecks(checks);
    const empty = {
      server: ctx.api.server,
      caHash: ctx.api.caHash,
      context: ctx.api.context,
      user: ctx.api.user,
      target: { ...proposal.target, uid: proposal.target.uid ?? '', apiVersion: '' },
      access: { verb: 'patch' as const, group: '', resource: '' },
      patchType: 'strategic' as const,
      body: null,
      preconditions: { generation: 0, fields: {} },
    };
    return {
      verdict: {
        apiVersion: ACT_API_VERSION,
        kind: 'Verdict',
        proposalId: proposal.id,
        planHash: '',
        result: 'fail',
        checks: ordered,
        verifiedAt,
        plan: empty,
        before: {},
        after: {},
      },
    };
  }
  await run('permissions', () => checkPermissions(ctx.api, planned!.plan));
  let dryRunObject: Obj | undefined;
  let after = {};
  await run('dryRun', async () => {
    for (let attempt = 0; ; attempt++) {
      const d = await dryRunWrite(
        ctx.api,
        planned!.plan,
        planned!.live,
        proposal.fields,
        changeAnnotations('verify', proposal.summary),
      );
      if (d.conflict && attempt < 3) {
        // A status update (a restarting pod, the controller's counters) moves the resourceVersion but not
        // the spec: plan again on the fresh object. A spec change during verification stays inconclusive.
        const again = await planWrite(ctx.api, proposal, opts.restoreTemplate).catch(() => undefined);
        if (
          again &&
          again.plan.preconditions.generation === planned!.plan.preconditions.generation &&
          sameImage(again.before, planned!.before)
        ) {
          planned = again;
          continue;
        }
      }
      dryRunObject = d.object;
      after = d.after ?? {};
      return d.check;
    }
  });
  const { plan, live } = planned;
  await run('ownership', async () => {
    const started = performance.now();
    const check = checkOwnership(live, proposal.fields, hpaFor(ctx, proposal));
    const probe = await ssaOwnershipProbe(ctx.api, plan);
    check.evidence.push(probe.evidence);
    for (const m of probe.managers) {
      if (isPlainKubectl(m) || check.warnings.some((w) => w.includes(`(${m})`) || w.includes(`by ${m}:`))) continue;
      const controller = controllerOf(m);
      check.warnings.push(
        controller
          ? `${controller} (${m}) owns touched fields and will undo a change made only in the cluster`
          : `${m} owns touched fields: if that is an operator, it may set them back`,
      );
    }
    check.warnings = [...new Set(check.warnings)];
    if (check.warnings.length > 0)
      check.detail = `${check.warnings.length} owner${check.warnings.length > 1 ? 's' : ''} may undo the change: consider the manifest edit instead`;
    return { ...check, durationMs: Math.round(performance.now() - started) };
  });

  const templateChange = isPodTemplateKind(proposal.target.kind) && touchesTemplate(proposal);
  const newTemplateRaw: Obj | undefined = templateChange
    ? (dryRunObject?.['spec']?.['template'] as Obj | undefined)
    : undefined;
  if (templateChange && !newTemplateRaw) {
    for (const name of ['podAdmission', 'fit', 'quota', 'disruption'] as const)
      await run(name, () => ({
        name,
        result: 'inconclusive',
        detail: 'the new pod template is unknown because the dry-run did not pass',
        evidence: [],
        warnings: [],
        durationMs: 0,
      }));
  } else if (!isPodTemplateKind(proposal.target.kind)) {
    const lowered = hpaScaleDown(ctx, proposal, live, dryRunObject);
    for (const name of ['podAdmission', 'fit', 'quota', 'disruption'] as const) {
      const started = performance.now();
      if (name === 'disruption' && lowered) await run(name, () => fromFinding(name, lowered, started));
      else checks.push(skipped(name, `a ${proposal.target.kind} runs no pods of its own`));
    }
  } else {
    await run('podAdmission', () =>
      checkPodAdmission(ctx.api, proposal.target.namespace, proposal.target.name, newTemplateRaw),
    );
    const spec = (live['spec'] ?? {}) as Obj;
    const afterSpec = ((dryRunObject ?? live)['spec'] ?? {}) as Obj;
    const replicasBefore = Number(spec['replicas'] ?? 1);
    const replicasAfter = Number(afterSpec['replicas'] ?? replicasBefore);
    const budget = rolloutBudget(replicasAfter, spec['strategy']?.['rollingUpdate']);
    const capacity: CapacityInput = {
      snapshot: ctx.snapshot,
      namespace: proposal.target.namespace,
      current: podsOfTarget(ctx, proposal),
      newTemplate: newTemplateRaw ? toPodTemplate(newTemplateRaw['metadata'], newTemplateRaw['spec']) : undefined,
      currentTemplate: spec['template']
        ? toPodTemplate(spec['template']['metadata'], spec['template']['spec'])
        : undefined,
      replicasBefore,
      replicasAfter,
      maxSurge: spec['strategy']?.['type'] === 'Recreate' ? 0 : budget.maxSurge,
      maxUnavailable: spec['strategy']?.['type'] === 'Recreate' ? replicasBefore : budget.maxUnavailable,
    };
    for (const [name, check] of [
      ['fit', fitCheck],
      ['quota', quotaCheck],
      ['disruption', disruptionCheck],
    ] as const) {
      const started = performance.now();
      await run(name, () => {
        const finding = check(capacity);
        if (name === 'fit') finding.evidence.push(...hpaPrediction(ctx, proposal, capacity));
        const lost =
          name === 'disruption' ? replicasScaleDown(ctx, proposal, replicasBefore, replicasAfter) : undefined;
        return fromFinding(name, lost ? mergeFindings(finding, lost) : finding, started);
      });
    }
  }

  await shadowCheck(ctx, proposal, newTemplateRaw, checks, opts, run);
  if (proposal.incidentType !== 'Scaling') checks.push(skipped('replay', 'not a scaling proposal'));
  else {
    const hpa =
      proposal.target.kind === 'HorizontalPodAutoscaler'
        ? ctx.snapshot.get('HorizontalPodAutoscaler', proposal.target.namespace, proposal.target.name)
        : undefined;
    const workload = hpa
      ? { kind: hpa.target.kind, namespace: proposal.target.namespace, name: hpa.target.name }
      : proposal.target;
    const started = performance.now();
    await run('replay', () =>
      fromFinding(
        'replay',
        replayCheck(ctx.snapshot, ctx.usage?.(), proposal, workload, ctx.scalingObjective?.()),
        started,
      ),
    );
  }

  const ordered = orderChecks(checks);
  return {
    verdict: {
      apiVersion: ACT_API_VERSION,
      kind: 'Verdict',
      proposalId: proposal.id,
      planHash: planned.planHash,
      result: judgeVerdict(ordered),
      checks: ordered,
      verifiedAt,
      plan,
      before: planned.before,
      after,
      liveObject: forDiff(live),
      ...(dryRunObject ? { dryRunObject: forDiff(dryRunObject) } : {}),
    },
    planned,
  };
}

/** Seconds from a container's start to its failure, for each failing pod of the target. */
function timesToFailure(pods: readonly Pod[]): number[] {
  return pods.flatMap((p) =>
    p.containerStatuses.flatMap((c) => {
      const t = c.lastState.terminated ?? c.state.terminated;
      if (!t?.startedAt || !t.finishedAt) return [];
      return [(Date.parse(t.finishedAt) - Date.parse(t.startedAt)) / 1000];
    }),
  );
}

function failingSummary(pods: readonly Pod[]): string {
  const restarts = pods.reduce((s, p) => s + p.containerStatuses.reduce((n, c) => n + c.restartCount, 0), 0);
  const reasons = [
    ...new Set(
      pods.flatMap((p) =>
        p.containerStatuses
          .flatMap((c) => [c.lastState.terminated?.reason, c.state.waiting?.reason])
          .filter((r): r is string => Boolean(r)),
      ),
    ),
  ];
  return `${pods.length} pods, ${restarts} restarts${reasons.length ? ` (${reasons.join(', ')})` : ''}`;
}

async function shadowCheck(
  ctx: ActContext,
  proposal: Proposal,
  template: Obj | undefined,
  checks: CheckResult[],
  opts: VerifyOptions,
  run: (name: CheckName, body: () => Promise<CheckResult> | CheckResult) => Promise<CheckResult>,
): Promise<void> {
  if (!opts.shadow) return void checks.push(skipped('shadow', opts.shadowSkipReason ?? 'disabled'));
  if (!ctx.shadow) return void checks.push(skipped('shadow', 'no shadow runner is available here'));
  const outOfScope = shadowOutOfScope(proposal);
  if (outOfScope) return void checks.push(skipped('shadow', outOfScope));
  if (!template) return void checks.push(skipped('shadow', NO_NEW_TEMPLATE));
  const rwo = new Set(
    ctx.snapshot
      .list('PersistentVolumeClaim', proposal.target.namespace)
      .filter((c) => c.accessModes.some((m) => m === 'ReadWriteOnce' || m === 'ReadWriteOncePod'))
      .map((c) => c.meta.name),
  );
  const obstacle = shadowObstacle(template, rwo);
  if (obstacle) return void checks.push(skipped('shadow', `not run: ${obstacle}`));
  const blocked = checks.find((c) => (c.name === 'fit' || c.name === 'quota') && c.result === 'fail');
  if (blocked)
    return void checks.push(skipped('shadow', `not run: it would not fit (${blocked.name}: ${blocked.detail})`));
  const pods = podsOfTarget(ctx, proposal);
  const shadow = ctx.shadow;
  await run('shadow', () =>
    shadow.run(
      {
        namespace: proposal.target.namespace,
        ownerName: proposal.target.name,
        template,
        timeToFailure: timesToFailure(pods),
        failingSummary: failingSummary(pods),
      },
      opts.signal,
      (timeline) => ctx.progress({ proposalId: proposal.id, check: 'shadow', phase: 'timeline', timeline }),
    ),
  );
}

/** For a cpu request change on an HPA's target: the replicas the HPA will want afterwards, from current usage. */
function hpaPrediction(ctx: ActContext, proposal: Proposal, capacity: CapacityInput): string[] {
  if (!capacity.newTemplate || !proposal.fields.some((f) => f.endsWith('.resources.requests.cpu'))) return [];
  const hpa = ctx.snapshot
    .list('HorizontalPodAutoscaler', proposal.target.namespace)
    .find((h) => h.target.kind === proposal.target.kind && h.target.name === proposal.target.name);
  const metric = hpa?.metrics.find(
    (m) => m.type === 'Resource' && m.name === 'cpu' && m.targetAverageUtilization !== undefined,
  );
  if (!hpa || !metric) return [];
  const usage = capacity.current.reduce(
    (sum, p) =>
      sum +
      (ctx.snapshot.usageOf(p.meta.namespace, p.meta.name)?.containers.reduce((s, c) => s + c.cpuMillicores, 0) ?? 0),
    0,
  );
  if (usage <= 0)
    return [
      `HorizontalPodAutoscaler ${hpa.meta.name}: no cpu usage known yet, so its replicas after the change cannot be predicted`,
    ];
  const predicted = predictedHpaReplicas(
    usage,
    podRequests(capacity.newTemplate).cpu,
    metric.targetAverageUtilization!,
    hpa.minReplicas,
    hpa.maxReplicas,
  );
  return predicted === undefined
    ? []
    : [
        `HorizontalPodAutoscaler ${hpa.meta.name}: predicted ${predicted} replicas after the change (now ${hpa.currentReplicas}; usage ${usage}m cpu, target ${metric.targetAverageUtilization}%)`,
      ];
}
