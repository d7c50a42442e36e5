// The checks that ask the API server: an access review for the exact verb and resource of the
// write, a server dry-run of the exact write (strict field validation, NimbusGuard's field
// manager), who manages the touched fields, and a dry-run of a Pod built from the new template.
import { readImage } from '../../core/change/fieldImage';
import { analyseOwnership, type ManagedFieldsEntry } from '../../core/change/ownership';
import {
  FIELD_MANAGER,
  type CheckName,
  type CheckResult,
  type FieldImage,
  type WritePlan,
} from '../../core/model/proposal';
import { ApiClient, isOk, messageOf, objectPath, type ApiResponse } from './apiClient';
import { bodyToSend } from './writePlan';

type Obj = Record<string, any>;

function result(
  name: CheckName,
  outcome: CheckResult['result'],
  detail: string,
  started: number,
  extra: Partial<Pick<CheckResult, 'evidence' | 'warnings'>> = {},
): CheckResult {
  return {
    name,
    result: outcome,
    detail,
    evidence: extra.evidence ?? [],
    warnings: extra.warnings ?? [],
    durationMs: Math.round(performance.now() - started),
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** SelfSubjectAccessReview for the write's own verb, group, resource and subresource. */
export async function checkPermissions(api: ApiClient, plan: WritePlan): Promise<CheckResult> {
  const started = performance.now();
  const a = plan.access;
  const what = `${a.verb} ${a.resource}${a.subresource ? `/${a.subresource}` : ''}${a.group ? `.${a.group}` : ''}`;
  try {
    const r = await api.request('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: {
          resourceAttributes: {
            namespace: plan.target.namespace,
            verb: a.verb,
            group: a.group,
            resource: a.resource,
            ...(a.subresource ? { subresource: a.subresource } : {}),
            name: plan.target.name,
          },
        },
      },
    });
    if (!isOk(r))
      return result('permissions', 'inconclusive', `the access review could not run: ${messageOf(r)}`, started);
    const status = (r.body['status'] ?? {}) as Obj;
    const evidence = [
      `user ${plan.user || '(unknown)'} in context ${plan.context}`,
      `asked: ${what} ${plan.target.namespace}/${plan.target.name}`,
    ];
    if (status['allowed'] === true)
      return result('permissions', 'pass', `allowed to ${what} in ${plan.target.namespace}`, started, { evidence });
    const reason = [status['reason'], status['evaluationError']].filter((x) => typeof x === 'string' && x).join('; ');
    return result(
      'permissions',
      'fail',
      `missing permission: ${what} in namespace ${plan.target.namespace}${reason ? ` (${reason})` : ''}`,
      started,
      { evidence },
    );
  } catch (error) {
    return result('permissions', 'inconclusive', `the access review could not run: ${errorText(error)}`, started);
  }
}

const WEBHOOK_TROUBLE =
  /failed calling webhook|webhook.*(timeout|timed out|deadline|no endpoints|connection refused|unavailable)|context deadline exceeded/i;

export interface DryRunOutcome {
  check: CheckResult;
  /** The object as the server would store it, when the dry-run passed. */
  object?: Obj;
  after?: FieldImage;
  /** The resourceVersion precondition failed: the object changed after it was read. */
  conflict?: boolean;
}

/** The exact write as a server dry-run: same body, same precondition, strict validation. */
export async function dryRunWrite(
  api: ApiClient,
  plan: WritePlan,
  live: Obj,
  fields: readonly string[],
  annotations: Record<string, string>,
): Promise<DryRunOutcome> {
  const started = performance.now();
  const t = plan.target;
  let r: ApiResponse;
  try {
    r = await api.request('PATCH', objectPath(t.kind, t.namespace, t.name), {
      body: bodyToSend(plan, live, String(live['metadata']['resourceVersion']), annotations),
      patchType: plan.patchType,
      query: { dryRun: 'All', fieldManager: FIELD_MANAGER, fieldValidation: 'Strict' },
    });
  } catch (error) {
    return { check: result('dryRun', 'inconclusive', `the dry-run did not complete: ${errorText(error)}`, started) };
  }
  const warnings = r.warnings.map((w) => `API warning: ${w}`);
  if (isOk(r)) {
    const after = readImage(r.body, fields);
    return {
      check: result('dryRun', 'pass', 'the API server accepts the write (dry-run, strict field validation)', started, {
        warnings,
        evidence: [
          `fieldManager=${FIELD_MANAGER}`,
          `resourceVersion precondition ${String(live['metadata']['resourceVersion'])}`,
        ],
      }),
      object: r.body,
      after,
    };
  }
  const message = messageOf(r);
  if (WEBHOOK_TROUBLE.test(message) || r.status >= 500)
    return {
      check: result(
        'dryRun',
        'inconclusive',
        `an admission webhook or the server could not answer: ${message}`,
        started,
        { warnings },
      ),
    };
  if (r.status === 409)
    return {
      check: result('dryRun', 'inconclusive', `the object changed during verification: ${message}`, started, {
        warnings,
      }),
      conflict: true,
    };
  return {
    check: result('dryRun', 'fail', `the API server rejects the write (${r.status}): ${message}`, started, {
      warnings,
    }),
  };
}

/** Who manages the touched fields; GitOps, Helm, KEDA, an HPA or an operator raise a warning, never inconclusive. */
export function checkOwnership(live: Obj, fields: readonly string[], hpa: string | undefined): CheckResult {
  const started = performance.now();
  const meta = (live['metadata'] ?? {}) as Obj;
  const report = analyseOwnership({
    managedFields: (meta['managedFields'] ?? []) as ManagedFieldsEntry[],
    labels: (meta['labels'] ?? {}) as Record<string, string>,
    annotations: (meta['annotations'] ?? {}) as Record<string, string>,
    paths: fields,
    ...(hpa ? { hpa } : {}),
  });
  const detail =
    report.warnings.length > 0
      ? `${report.warnings.length} owner${report.warnings.length > 1 ? 's' : ''} may undo the change: consider the manifest edit instead`
      : 'no controller owns the touched fields';
  return result('ownership', 'pass', detail, started, { evidence: report.evidence, warnings: report.warnings });
}

/**
 * A server dry-run of a Pod built from the template the change produces: LimitRange, quota on pod
 * resources and Pod Security admission see what the Deployment's dry-run cannot.
 */
export async function checkPodAdmission(
  api: ApiClient,
  namespace: string,
  ownerName: string,
  template: Obj | undefined,
): Promise<CheckResult> {
  const started = performance.now();
  if (!template?.['spec'])
    return result('podAdmission', 'skipped', 'the change does not alter the pod template', started);
  const meta = (template['metadata'] ?? {}) as Obj;
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${ownerName.slice(0, 40)}-admission-`,
      namespace,
      labels: { ...(meta['labels'] ?? {}) },
      annotations: { ...(meta['annotations'] ?? {}) },
    },
    spec: template['spec'],
  };
  try {
    const r = await api.request('POST', objectPath('Pod', namespace), {
      body: pod,
      query: { dryRun: 'All', fieldValidation: 'Strict' },
    });
    const warnings = r.warnings.map((w) => `API warning: ${w}`);
    if (isOk(r)) {
      const limits = ((r.body['spec']?.['containers'] ?? []) as Obj[]).map(
        (c) =>
          `${c['name']}: requests ${JSON.stringify(c['resources']?.['requests'] ?? {})}, limits ${JSON.stringify(c['resources']?.['limits'] ?? {})}`,
      );
      return result(
        'podAdmission',
        'pass',
        'a pod from the new template is admitted (LimitRange, quota, Pod Security)',
        started,
        { warnings, evidence: limits },
      );
    }
    const message = messageOf(r);
    if (WEBHOOK_TROUBLE.test(message) || r.status >= 500)
      return result('podAdmission', 'inconclusive', `pod admission could not be checked: ${message}`, started, {
        warnings,
      });
    return result(
      'podAdmission',
      'fail',
      `pods from the new template would be rejected (${r.status}): ${message}`,
      started,
      { warnings },
    );
  } catch (error) {
    return result('podAdmission', 'inconclusive', `pod admission could not be checked: ${errorText(error)}`, started);
  }
}

/**
 * The ownership probe: a non-forced server-side apply of the change as a dry-run. The API server
 * names every other manager of a touched field in its conflict; nothing is stored either way.
 * Only for spec edits (a template replace or a restore of absent fields is not an apply).
 */
export async function ssaOwnershipProbe(
  api: ApiClient,
  plan: WritePlan,
): Promise<{ managers: string[]; evidence: string }> {
  const t = plan.target;
  if (
    plan.patchType !== 'strategic' ||
    typeof plan.body !== 'object' ||
    plan.body === null ||
    JSON.stringify(plan.body).includes('null')
  )
    return { managers: [], evidence: 'server-side apply probe: not applicable to this write' };
  try {
    const body = {
      ...(plan.body as Obj),
      apiVersion: t.apiVersion,
      kind: t.kind,
      metadata: { name: t.name, namespace: t.namespace },
    };
    const r = await api.request('PATCH', objectPath(t.kind, t.namespace, t.name), {
      body,
      patchType: 'apply',
      query: { dryRun: 'All', fieldManager: FIELD_MANAGER, force: 'false' },
    });
    if (isOk(r)) return { managers: [], evidence: 'server-side apply probe: no other manager owns the touched fields' };
    const message = messageOf(r);
    if (r.status !== 409) return { managers: [], evidence: `server-side apply probe could not run: ${message}` };
    const managers = [...new Set([...message.matchAll(/conflicts? with "([^"]+)"/g)].map((m) => m[1]!))];
    return {
      managers,
      evidence: `server-side apply probe: ${managers.length > 0 ? `owned by ${managers.join(', ')}` : message}`,
    };
  } catch (error) {
    return { managers: [], evidence: `server-side apply probe could not run: ${errorText(error)}` };
  }
}
