// Ingresses no controller can serve as written: a class that does not exist (or none, with no
// default class), a backend Service or port that does not exist, a TLS Secret that does not exist.
// A reference only counts once the Ingress is a minute old, and only for kinds the snapshot
// holds completely (a Secret list that was Forbidden proves nothing).
import type { Detector, DetectContext } from './detector';
import type { Evidence, Finding } from '../model/incident';
import type { Ingress, IngressBackend, ServicePortRef } from '../model/routing';
import type { Service } from '../model/resources';
import { REFERENCE_GRACE_MS, clip, finding, lastedAtLeast, oneLine } from './support';
import { refOf } from '../model/objectRef';

/** "8080", "http": how a backend names its Service port. */
export function portText(port: ServicePortRef): string {
  return port.number !== undefined
    ? String(port.number)
    : port.name !== undefined
      ? `"${oneLine(port.name, 63)}"`
      : '(no port)';
}

/** True when the Service has the port the backend names (by number, or by name). */
export function servicePortExists(svc: Service, port: ServicePortRef): boolean {
  if (port.number !== undefined) return svc.ports.some((p) => p.port === port.number);
  if (port.name !== undefined) return svc.ports.some((p) => p.name === port.name);
  return false;
}

export function servicePortsText(svc: Service): string {
  return svc.ports.map((p) => `${p.port}${p.name ? `/${p.name}` : ''}`).join(', ') || 'none';
}

function classFindings(ctx: DetectContext, ing: Ingress): Finding[] {
  const { snapshot } = ctx;
  // A controller that published an address serves the Ingress, whatever its class says.
  if (!snapshot.observes('IngressClass') || ing.addresses.length > 0) return [];
  const ref = refOf('Ingress', ing.meta);
  const classes = snapshot.list('IngressClass');
  const known: Evidence = {
    kind: 'status',
    source: ref,
    text: clip(
      `IngressClasses in the cluster: ${classes.map((c) => `${c.meta.name} (${c.controller || 'no controller'}${c.isDefault ? ', default' : ''})`).join(', ') || 'none'}`,
    ),
  };
  if (ing.className !== undefined) {
    if (classes.some((c) => c.meta.name === ing.className)) return [];
    return [
      finding(
        'IngressMisconfigured',
        'critical',
        ref,
        `Ingress ${oneLine(ing.meta.name)} names IngressClass ${oneLine(ing.className, 63)}, which does not exist: no controller serves it`,
        [
          {
            kind: 'spec',
            source: ref,
            field: 'spec.ingressClassName',
            text: clip(`ingressClassName: ${ing.className}`),
          },
          known,
        ],
        'class',
      ),
    ];
  }
  if (ing.classAnnotation !== undefined || classes.some((c) => c.isDefault)) return [];
  return [
    finding(
      'IngressMisconfigured',
      'critical',
      ref,
      `Ingress ${oneLine(ing.meta.name)} names no IngressClass and the cluster has no default class: no controller serves it`,
      [
        {
          kind: 'spec',
          source: ref,
          field: 'spec.ingressClassName',
          text: 'no ingressClassName and no kubernetes.io/ingress.class annotation',
        },
        known,
      ],
      'class',
    ),
  ];
}

function backendFindings(ctx: DetectContext, ing: Ingress): Finding[] {
  const { snapshot } = ctx;
  const ns = ing.meta.namespace;
  if (!snapshot.observes('Service', ns)) return [];
  const ref = refOf('Ingress', ing.meta);
  const services = ing.backends.filter(
    (b): b is IngressBackend & { service: NonNullable<IngressBackend['service']> } => b.service !== undefined,
  );
  const broken = new Map<
    string,
    { kind: 'service' | 'port'; svc?: Service; name: string; port: ServicePortRef; backends: IngressBackend[] }
  >();
  for (const b of services) {
    const svc = snapshot.get('Service', ns, b.service.name);
    if (svc && servicePortExists(svc, b.service.port)) continue;
    const key = svc ? `port:${b.service.name}:${portText(b.service.port)}` : `service:${b.service.name}`;
    const entry = broken.get(key) ?? {
      kind: svc ? ('port' as const) : ('service' as const),
      ...(svc ? { svc } : {}),
      name: b.service.name,
      port: b.service.port,
      backends: [],
    };
    entry.backends.push(b);
    broken.set(key, entry);
  }
  const brokenCount = [...broken.values()].reduce((sum, e) => sum + e.backends.length, 0);
  const severity = brokenCount === services.length ? 'critical' : 'warning';
  return [...broken.entries()].map(([key, e]) => {
    const routes = e.backends.map((b) => b.route).join(', ');
    const first = e.backends[0]!;
    const portField = `${first.path}.service.port.${e.port.number !== undefined ? 'number' : 'name'}`;
    const summary =
      e.kind === 'service'
        ? `Ingress ${oneLine(ing.meta.name)} routes ${oneLine(routes, 120)} to Service ${oneLine(e.name, 63)}, which does not exist`
        : `Ingress ${oneLine(ing.meta.name)} routes ${oneLine(routes, 120)} to port ${portText(e.port)} of Service ${oneLine(e.name, 63)}, which has no such port (ports: ${servicePortsText(e.svc!)})`;
    return finding(
      'IngressMisconfigured',
      severity,
      ref,
      summary,
      [
        ...e.backends.slice(0, 3).map((b): Evidence => ({
          kind: 'spec',
          source: ref,
          field: e.kind === 'service' ? `${b.path}.service.name` : portField,
          text: clip(`${b.route} → service ${b.service?.name ?? '?'} port ${portText(b.service?.port ?? {})}`),
        })),
        e.svc
          ? {
              kind: 'spec',
              source: refOf('Service', e.svc.meta),
              field: 'spec.ports',
              text: clip(`Service ${e.svc.meta.name} ports: ${servicePortsText(e.svc)}`),
            }
          : undefined,
      ],
      key,
    );
  });
}

function tlsFindings(ctx: DetectContext, ing: Ingress): Finding[] {
  const { snapshot } = ctx;
  const ns = ing.meta.namespace;
  if (!snapshot.observes('Secret', ns)) return [];
  const ref = refOf('Ingress', ing.meta);
  return ing.tls.flatMap((t) => {
    if (t.secretName === undefined || snapshot.get('Secret', ns, t.secretName)) return [];
    const hosts = t.hosts.join(', ') || 'every host';
    return [
      finding(
        'IngressMisconfigured',
        'warning',
        ref,
        `Ingress ${oneLine(ing.meta.name)} serves TLS for ${oneLine(hosts, 120)} with Secret ${oneLine(t.secretName, 63)}, which does not exist`,
        [
          {
            kind: 'spec',
            source: ref,
            field: `${t.path}.secretName`,
            text: clip(`tls secretName ${t.secretName} for ${hosts}`),
          },
        ],
        `tls:${t.secretName}`,
      ),
    ];
  });
}

export const ingressMisconfiguredDetector: Detector = {
  types: ['IngressMisconfigured'],
  detect(ctx: DetectContext): Finding[] {
    const out: Finding[] = [];
    for (const ing of ctx.snapshot.list('Ingress')) {
      if (ing.meta.deletedAt || !lastedAtLeast(ing.meta.createdAt, ctx.now, REFERENCE_GRACE_MS)) continue;
      out.push(...classFindings(ctx, ing), ...backendFindings(ctx, ing), ...tlsFindings(ctx, ing));
    }
    return out;
  },
};
