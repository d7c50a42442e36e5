// Admission webhooks that reject requests because they cannot be called: which webhook, the
// Service behind it and its endpoints, and the failurePolicy that turns its outage into rejections.
import type { Evidence } from '../model/incident';
import type { ObjectRef, WebhookConfiguration } from '../model/resources';
import type { SuggestedFix } from '../model/rootCause';
import { clip, endpointsOf, namedItem } from '../detect/support';
import { refOf } from '../model/objectRef';
import type { TargetedFix } from './fixes';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { diagnosis, q, type Diagnosis } from './ruleSupport';

function findHook(
  ctx: DiagnoseContext,
  name: string | undefined,
): { config: WebhookConfiguration; hook: WebhookConfiguration['webhooks'][number] } | undefined {
  if (!name) return undefined;
  const { snapshot, incident } = ctx;
  const configs = [
    ...snapshot.list('ValidatingWebhookConfiguration'),
    ...snapshot.list('MutatingWebhookConfiguration'),
  ];
  const own = configs.filter((c) => c.kind === incident.workload.kind && c.meta.name === incident.workload.name);
  for (const config of [...own, ...configs]) {
    const hook = config.webhooks.find((h) => h.name === name);
    if (hook) return { config, hook };
  }
  return undefined;
}

function diagnoseWebhook(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  const found = findHook(ctx, incident.key);
  const hookName = incident.key ?? 'an admission webhook';
  const onConfig = incident.workload.kind.endsWith('WebhookConfiguration');
  if (!found) {
    return diagnosis({
      category: 'webhook',
      summary: `admission webhook ${q(hookName, 120)} rejects or cannot answer requests for ${q(incident.workload.name)}`,
      explanation:
        'The API server could not call the webhook; its configuration is not visible here, so its Service cannot be checked.',
      confidence: 0.55,
      fields: [],
      evidence: incident.evidence,
      fixes: [{ summary: `Check the webhook ${q(hookName, 120)} and the Service it calls` }],
    });
  }
  const { config, hook } = found;
  const configRef: ObjectRef = {
    kind: config.kind,
    namespace: config.meta.namespace,
    name: config.meta.name,
    uid: config.meta.uid,
  };
  const svc = hook.service;
  const service = svc ? snapshot.get('Service', svc.namespace, svc.name) : undefined;
  const endpoints = svc ? endpointsOf(snapshot, svc.namespace, svc.name) : undefined;
  const state = !svc
    ? `calls ${q(hook.url ?? 'a URL', 120)}`
    : !service
      ? `its Service ${q(`${svc.namespace}/${svc.name}`, 120)} does not exist`
      : endpoints && endpoints.ready === 0
        ? `its Service ${q(`${svc.namespace}/${svc.name}`, 120)} has no ready endpoints`
        : `its Service ${q(`${svc.namespace}/${svc.name}`, 120)} has ${endpoints?.ready ?? '?'} ready endpoints`;
  const down = svc !== undefined && (!service || (endpoints !== undefined && endpoints.ready === 0));
  const policyPath = `${namedItem('webhooks', hook.name)}.failurePolicy`;
  const ignore: SuggestedFix | TargetedFix = {
    summary: `Set failurePolicy of ${q(hook.name, 120)} to Ignore while the webhook is down (requests then skip its checks)`,
    edits: [{ path: policyPath, value: 'Ignore', previous: hook.failurePolicy }],
    ...(onConfig ? {} : { target: configRef }),
  };
  const evidence: (Evidence | undefined)[] = [
    {
      kind: 'spec',
      source: configRef,
      field: policyPath,
      text: clip(
        `failurePolicy ${hook.failurePolicy}${svc ? `, service ${svc.namespace}/${svc.name}${svc.port ? `:${svc.port}` : ''}` : hook.url ? `, url ${hook.url}` : ''}`,
      ),
    },
    svc
      ? service
        ? {
            kind: 'status',
            source: refOf('Service', service.meta),
            text: `${endpoints?.ready ?? '?'} ready, ${endpoints?.notReady ?? '?'} not ready endpoints`,
            count: endpoints?.ready ?? 0,
          }
        : {
            kind: 'status',
            source: { kind: 'Service', namespace: svc.namespace, name: svc.name },
            text: 'Service not found',
          }
      : undefined,
    ...incident.evidence,
  ];
  return diagnosis({
    category: 'webhook',
    summary: `admission webhook ${q(hook.name, 120)} (failurePolicy ${q(hook.failurePolicy, 20)}) cannot answer: ${state}`,
    explanation: `The API server calls ${q(hook.name, 120)} from ${config.kind} ${q(config.meta.name)} for matching requests. ${hook.failurePolicy === 'Fail' ? 'With failurePolicy Fail, every call that cannot be made rejects the request, so objects such as pods cannot be created.' : 'With failurePolicy Ignore, failed calls are skipped.'}`,
    confidence: down ? 0.9 : 0.6,
    fields: onConfig ? [policyPath, `${namedItem('webhooks', hook.name)}.clientConfig.service`] : [],
    evidence,
    fixes: [
      svc
        ? {
            summary: `Bring back the webhook's backend: ${!service ? `restore Service ${q(`${svc.namespace}/${svc.name}`, 120)}` : `make the pods behind ${q(`${svc.namespace}/${svc.name}`, 120)} ready`}`,
          }
        : { summary: `Make ${q(hook.url ?? 'the webhook URL', 120)} reachable from the API server` },
      hook.failurePolicy === 'Fail' ? ignore : undefined,
    ],
  });
}

export const webhookRule: DiagnosisRule = {
  types: ['WebhookUnavailable'],
  diagnose: diagnoseWebhook,
};
