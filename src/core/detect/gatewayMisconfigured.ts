// Gateway API objects that do not serve (only where the cluster serves the CRDs; without them
// the snapshot holds none of these kinds): a GatewayClass no controller accepted, a Gateway not
// accepted or not programmed, or naming a class that does not exist, and an HTTPRoute whose parent
// Gateway or backend Service does not exist, or whose backend port is not a port of the Service.
import type { Detector, DetectContext } from './detector';
import type { Evidence, Finding } from '../model/incident';
import type { Gateway, GatewayClass, HTTPRoute } from '../model/routing';
import type { Condition } from '../model/resources';
import { REFERENCE_GRACE_MS, clip, condition, conditionEvidence, finding, lastedAtLeast, oneLine } from './support';
import { refOf } from '../model/objectRef';
import { servicePortsText } from './ingressMisconfigured';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

function notTrue(conditions: readonly Condition[], type: string): Condition | undefined | 'missing' {
  const c = condition(conditions, type);
  if (!c) return 'missing';
  return c.status === 'True' ? undefined : c;
}

function classFindings(cls: GatewayClass): Finding[] {
  const ref = refOf('GatewayClass', cls.meta);
  const accepted = notTrue(cls.conditions, 'Accepted');
  if (!accepted) return [];
  const why =
    accepted === 'missing'
      ? `no controller has accepted it (controllerName ${oneLine(cls.controllerName, 120)})`
      : `${accepted.reason ?? 'not accepted'}${accepted.message ? `: ${oneLine(accepted.message, 200)}` : ''}`;
  return [
    finding(
      'GatewayMisconfigured',
      'critical',
      ref,
      `GatewayClass ${oneLine(cls.meta.name)} is not accepted: ${why}`,
      [
        accepted === 'missing'
          ? {
              kind: 'status',
              source: ref,
              field: 'status.conditions',
              text: 'no Accepted condition: no controller has looked at it',
            }
          : conditionEvidence(ref, accepted),
        { kind: 'spec', source: ref, field: 'spec.controllerName', text: clip(`controllerName ${cls.controllerName}`) },
      ],
      'accepted',
    ),
  ];
}

function gatewayFindings(ctx: DetectContext, gw: Gateway): Finding[] {
  const { snapshot } = ctx;
  const ref = refOf('Gateway', gw.meta);
  const cls = snapshot.get('GatewayClass', '', gw.className);
  if (!cls) {
    if (!snapshot.observes('GatewayClass')) return [];
    return [
      finding(
        'GatewayMisconfigured',
        'critical',
        ref,
        `Gateway ${oneLine(gw.meta.name)} names GatewayClass ${oneLine(gw.className, 63)}, which does not exist`,
        [
          { kind: 'spec', source: ref, field: 'spec.gatewayClassName', text: clip(`gatewayClassName ${gw.className}`) },
          {
            kind: 'status',
            source: ref,
            text: clip(
              `GatewayClasses in the cluster: ${
                snapshot
                  .list('GatewayClass')
                  .map((c) => c.meta.name)
                  .join(', ') || 'none'
              }`,
            ),
          },
        ],
        'class',
      ),
    ];
  }
  // A class no controller accepted is reported on the class: its Gateways cannot do better.
  if (notTrue(cls.conditions, 'Accepted')) return [];
  for (const type of ['Accepted', 'Programmed']) {
    const c = notTrue(gw.conditions, type);
    if (!c) continue;
    const why =
      c === 'missing'
        ? `its controller (${oneLine(cls.controllerName, 120)}) reports no ${type} condition`
        : `${c.reason ?? type}${c.message ? `: ${oneLine(c.message, 200)}` : ''}`;
    const broken = gw.listeners.filter((l) =>
      l.conditions.some(
        (lc) =>
          (lc.type === 'Accepted' || lc.type === 'Programmed' || lc.type === 'ResolvedRefs') && lc.status === 'False',
      ),
    );
    return [
      finding(
        'GatewayMisconfigured',
        'critical',
        ref,
        `Gateway ${oneLine(gw.meta.name)} is not ${type.toLowerCase()}: ${why}`,
        [
          c === 'missing'
            ? { kind: 'status', source: ref, field: 'status.conditions', text: `no ${type} condition` }
            : conditionEvidence(ref, c),
          ...broken.slice(0, 3).map((l): Evidence => {
            const lc = l.conditions.find((x) => x.status === 'False')!;
            return {
              kind: 'condition',
              source: ref,
              field: `status.listeners[name=${oneLine(l.name, 63)}]`,
              text: clip(
                `listener ${l.name} (${l.protocol} :${l.port}): ${lc.type}=False${lc.reason ? ` (${lc.reason})` : ''}${lc.message ? `: ${lc.message}` : ''}`,
              ),
            };
          }),
        ],
        type.toLowerCase(),
      ),
    ];
  }
  return [];
}

function routeFindings(ctx: DetectContext, route: HTTPRoute): Finding[] {
  const { snapshot } = ctx;
  const ref = refOf('HTTPRoute', route.meta);
  const out: Finding[] = [];
  for (const p of route.parents) {
    if (
      p.group !== GATEWAY_GROUP ||
      p.kind !== 'Gateway' ||
      !snapshot.observes('Gateway', p.namespace) ||
      snapshot.get('Gateway', p.namespace, p.name)
    )
      continue;
    out.push(
      finding(
        'GatewayMisconfigured',
        'critical',
        ref,
        `HTTPRoute ${oneLine(route.meta.name)} attaches to Gateway ${oneLine(`${p.namespace}/${p.name}`, 120)}, which does not exist`,
        [
          {
            kind: 'spec',
            source: ref,
            field: `${p.path}.name`,
            text: clip(`parentRef Gateway ${p.namespace}/${p.name}${p.sectionName ? ` section ${p.sectionName}` : ''}`),
          },
        ],
        `parent:${p.namespace}/${p.name}`,
      ),
    );
  }
  for (const s of route.parentStatuses) {
    const accepted = condition(s.conditions, 'Accepted');
    if (accepted?.status !== 'False') continue;
    out.push(
      finding(
        'GatewayMisconfigured',
        'critical',
        ref,
        `Gateway ${oneLine(`${s.parent.namespace}/${s.parent.name}`, 120)} does not accept HTTPRoute ${oneLine(route.meta.name)}: ${oneLine(accepted.reason ?? 'not accepted', 60)}${accepted.message ? ` (${oneLine(accepted.message, 160)})` : ''}`,
        [conditionEvidence(ref, accepted)],
        `rejected:${s.parent.namespace}/${s.parent.name}`,
      ),
    );
  }
  for (const b of route.backends) {
    if (b.group !== '' || b.kind !== 'Service' || !snapshot.observes('Service', b.namespace)) continue;
    const svc = snapshot.get('Service', b.namespace, b.name);
    if (!svc) {
      out.push(
        finding(
          'GatewayMisconfigured',
          'critical',
          ref,
          `HTTPRoute ${oneLine(route.meta.name)} sends traffic to Service ${oneLine(`${b.namespace}/${b.name}`, 120)}, which does not exist`,
          [
            {
              kind: 'spec',
              source: ref,
              field: `${b.path}.name`,
              text: clip(`backendRef Service ${b.namespace}/${b.name}${b.port !== undefined ? ` port ${b.port}` : ''}`),
            },
          ],
          `backend:${b.namespace}/${b.name}`,
        ),
      );
    } else if (b.port !== undefined && !svc.ports.some((p) => p.port === b.port)) {
      out.push(
        finding(
          'GatewayMisconfigured',
          'critical',
          ref,
          `HTTPRoute ${oneLine(route.meta.name)} sends traffic to port ${b.port} of Service ${oneLine(b.name, 63)}, which has no such port (ports: ${servicePortsText(svc)})`,
          [
            {
              kind: 'spec',
              source: ref,
              field: `${b.path}.port`,
              text: clip(`backendRef Service ${b.namespace}/${b.name} port ${b.port}`),
            },
            {
              kind: 'spec',
              source: refOf('Service', svc.meta),
              field: 'spec.ports',
              text: clip(`Service ${svc.meta.name} ports: ${servicePortsText(svc)}`),
            },
          ],
          `port:${b.namespace}/${b.name}:${b.port}`,
        ),
      );
    }
  }
  return out;
}

export const gatewayMisconfiguredDetector: Detector = {
  types: ['GatewayMisconfigured'],
  detect(ctx: DetectContext): Finding[] {
    const { snapshot, now } = ctx;
    const old = (m: { createdAt: string; deletedAt?: string }) =>
      !m.deletedAt && lastedAtLeast(m.createdAt, now, REFERENCE_GRACE_MS);
    return [
      ...snapshot
        .list('GatewayClass')
        .filter((c) => old(c.meta))
        .flatMap(classFindings),
      ...snapshot
        .list('Gateway')
        .filter((g) => old(g.meta))
        .flatMap((g) => gatewayFindings(ctx, g)),
      ...snapshot
        .list('HTTPRoute')
        .filter((r) => old(r.meta))
        .flatMap((r) => routeFindings(ctx, r)),
    ];
  },
};
