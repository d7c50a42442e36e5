// Admission webhooks that block object creation: API errors calling them, or a Fail-policy webhook
// whose backing Service has nothing ready to answer.
import type { Detector, DetectContext } from './detector';
import type { Finding } from '../model/incident';
import type { KubeEvent, WebhookConfiguration } from '../model/resources';
import {
  clip,
  controllerWorkload,
  endpointsOf,
  eventEvidence,
  namedItem,
  finding,
  lastedAtLeast,
  oneLine,
  quotedAfter,
  RECENT_EVENT_MS,
  within,
} from './support';
import { refKey, refOf } from '../model/objectRef';
import { PodIndex } from './pods';

const MARKER = 'failed calling webhook';
/** A webhook's Service that was just created may not have endpoints yet. */
export const WEBHOOK_SERVICE_GRACE_MS = 60 * 1000;

function fromEvents({ snapshot, now }: DetectContext, index: PodIndex): Finding[] {
  const groups = new Map<string, { events: KubeEvent[]; webhook: string | undefined }>();
  for (const e of snapshot.list('Event')) {
    if (e.type !== 'Warning' || !e.message.includes(MARKER) || !within(e.lastSeen, now, RECENT_EVENT_MS)) continue;
    const webhook = quotedAfter(e.message, MARKER);
    const key = `${refKey(controllerWorkload(snapshot, e.involved))}\u0000${webhook ?? ''}`;
    const group = groups.get(key);
    if (group) group.events.push(e);
    else groups.set(key, { events: [e], webhook });
  }
  return [...groups.values()].map(({ events, webhook }) => {
    events.sort((a, b) => b.lastSeen.localeCompare(a.lastSeen));
    const latest = events[0]!;
    const workload = controllerWorkload(snapshot, latest.involved);
    const attempts = events.reduce((sum, e) => sum + e.count, 0);
    const ready = index.readyOf(workload);
    const detail = latest.message.slice(latest.message.indexOf(MARKER));
    const summary = `${oneLine(workload.name)} is blocked by admission webhook ${webhook ? oneLine(webhook, 120) : '(unnamed)'}: ${oneLine(detail, 200)} (${attempts} attempts)`;
    return finding(
      'WebhookUnavailable',
      'critical',
      workload,
      summary,
      [...events.slice(0, 3).map(eventEvidence), { kind: 'status', source: workload, text: `${ready} ready` }],
      webhook,
    );
  });
}

function fromConfigurations({ snapshot, now }: DetectContext, configs: WebhookConfiguration[]): Finding[] {
  const out: Finding[] = [];
  const servicesKnown = snapshot.count('Service') > 0;
  for (const config of configs) {
    const ref = { kind: config.kind, namespace: config.meta.namespace, name: config.meta.name, uid: config.meta.uid };
    for (const hook of config.webhooks) {
      if (hook.failurePolicy !== 'Fail' || !hook.service) continue;
      const { namespace, name } = hook.service;
      const service = snapshot.get('Service', namespace, name);
      const endpoints = endpointsOf(snapshot, namespace, name);
      let problem: string | undefined;
      if (!service) {
        if (servicesKnown && lastedAtLeast(config.meta.createdAt, now, WEBHOOK_SERVICE_GRACE_MS))
          problem = 'does not exist';
      } else if (
        endpoints &&
        endpoints.ready === 0 &&
        lastedAtLeast(service.meta.createdAt, now, WEBHOOK_SERVICE_GRACE_MS)
      ) {
        problem = `has no ready endpoints (${endpoints.notReady} not ready)`;
      }
      if (!problem) continue;
      const summary = `Webhook ${oneLine(hook.name, 120)} (failurePolicy Fail) cannot answer: its service ${oneLine(`${namespace}/${name}`, 120)} ${problem}, so matching API requests are rejected`;
      out.push(
        finding(
          'WebhookUnavailable',
          'critical',
          ref,
          summary,
          [
            {
              kind: 'spec',
              source: ref,
              field: `${namedItem('webhooks', hook.name)}.failurePolicy`,
              text: clip(
                `failurePolicy Fail, service ${namespace}/${name}${hook.service.port ? `:${hook.service.port}` : ''}`,
              ),
            },
            service
              ? {
                  kind: 'status',
                  source: refOf('Service', service.meta),
                  text: `${endpoints?.slices ?? 0} EndpointSlices, ${endpoints?.ready ?? 0} ready, ${endpoints?.notReady ?? 0} not ready`,
                  count: endpoints?.ready ?? 0,
                }
              : { kind: 'status', source: { kind: 'Service', namespace, name }, text: 'service not found' },
            ...(service ? snapshot.eventsFor('Service', namespace, name).slice(0, 2).map(eventEvidence) : []),
          ],
          hook.name,
        ),
      );
    }
  }
  return out;
}

export const webhookUnavailableDetector: Detector = {
  types: ['WebhookUnavailable'],
  detect(ctx: DetectContext): Finding[] {
    const index = PodIndex.of(ctx.snapshot);
    const configs = [
      ...ctx.snapshot.list('ValidatingWebhookConfiguration'),
      ...ctx.snapshot.list('MutatingWebhookConfiguration'),
    ];
    return [...fromEvents(ctx, index), ...fromConfigurations(ctx, configs)];
  },
};
