// Ingresses no controller can serve: the missing IngressClass, Service, Service port or TLS Secret
// is the cause, named in the summary. A class has a one-field fix when the cluster has an obvious
// class to use; the other references point at what to create or which existing object to name.
import type { Ingress, IngressBackend } from '../model/routing';
import type { Service } from '../model/resources';
import type { SuggestedFix } from '../model/rootCause';
import { portText, servicePortExists, servicePortsText } from '../detect/ingressMisconfigured';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { diagnosis, q, type Diagnosis } from './ruleSupport';

/** Edit distance, bounded: names further apart than `max` are not worth suggesting. */
function distance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** The existing name closest to `wanted` (a typo, a missing prefix), if any is close. */
export function nearestName(wanted: string, names: readonly string[]): string | undefined {
  const scored = names
    .map((name) => ({ name, d: name.includes(wanted) || wanted.includes(name) ? 1 : distance(wanted, name) }))
    .filter((x) => x.d <= 3);
  return scored.sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))[0]?.name;
}

function classCause(ctx: DiagnoseContext, ing: Ingress): Diagnosis {
  const classes = ctx.snapshot.list('IngressClass');
  const defaults = classes.filter((c) => c.isDefault);
  const candidate = defaults.length === 1 ? defaults[0] : classes.length === 1 ? classes[0] : undefined;
  const near = ing.className
    ? nearestName(
        ing.className,
        classes.map((c) => c.meta.name),
      )
    : undefined;
  const use = near ? classes.find((c) => c.meta.name === near) : candidate;
  const names = classes.map((c) => c.meta.name).join(', ') || 'none';
  const fixes: (SuggestedFix | undefined)[] = [
    use
      ? {
          summary: `Set spec.ingressClassName to ${q(use.meta.name, 63)} (controller ${q(use.controller, 80)})`,
          edits: [
            {
              path: 'spec.ingressClassName',
              value: use.meta.name,
              ...(ing.className ? { previous: ing.className } : {}),
            },
          ],
        }
      : undefined,
    ing.className
      ? {
          summary: `Or install the ingress controller that serves class ${q(ing.className, 63)} and create its IngressClass`,
        }
      : {
          summary:
            'Or mark one IngressClass as the default (annotation ingressclass.kubernetes.io/is-default-class: "true")',
        },
  ];
  return diagnosis({
    category: 'ingress-config',
    summary: ing.className
      ? `IngressClass ${q(ing.className, 63)} does not exist (the cluster has: ${q(names, 120)}), so no controller serves Ingress ${q(ing.meta.name)}`
      : `Ingress ${q(ing.meta.name)} names no IngressClass and none is the default (the cluster has: ${q(names, 120)})`,
    explanation:
      'An ingress controller only serves the Ingresses of its own class. With a class that no IngressClass defines, or no class and no default class, no controller picks this Ingress up: it gets no address and its hosts do not resolve to anything.',
    confidence: 0.9,
    fields: ['spec.ingressClassName'],
    evidence: ctx.incident.evidence,
    fixes,
  });
}

function backendsTo(ing: Ingress, name: string): IngressBackend[] {
  return ing.backends.filter((b) => b.service?.name === name);
}

function serviceCause(ctx: DiagnoseContext, ing: Ingress, name: string): Diagnosis {
  const ns = ing.meta.namespace;
  const services = ctx.snapshot.list('Service', ns);
  const near = nearestName(
    name,
    services.map((s) => s.meta.name),
  );
  const backends = backendsTo(ing, name);
  return diagnosis({
    category: 'ingress-config',
    summary: `Service ${q(name, 63)} does not exist in namespace ${q(ns)}; Ingress ${q(ing.meta.name)} routes ${q(backends.map((b) => b.route).join(', '), 120)} to it${near ? ` (did you mean ${q(near, 63)}?)` : ''}`,
    explanation:
      'The ingress controller answers requests for these routes with 503 Service Unavailable: the backend Service they name is not there (never created, deleted, renamed, or in another namespace; an Ingress can only route to Services in its own namespace).',
    confidence: 0.9,
    fields: backends.map((b) => `${b.path}.service.name`),
    evidence: ctx.incident.evidence,
    fixes: [
      near
        ? {
            summary: `Point ${q(backends.map((b) => `${b.path}.service.name`).join(', '), 160)} at Service ${q(near, 63)}`,
          }
        : undefined,
      { summary: `Create Service ${q(name, 63)} in namespace ${q(ns)} in front of the pods that serve these routes` },
    ],
  });
}

function portCause(ctx: DiagnoseContext, ing: Ingress, svc: Service, key: string): Diagnosis {
  const backends = backendsTo(ing, svc.meta.name).filter(
    (b) => b.service && !servicePortExists(svc, b.service.port) && key.endsWith(`:${portText(b.service.port)}`),
  );
  const port = backends[0]?.service?.port ?? {};
  const only = svc.ports.length === 1 ? svc.ports[0] : undefined;
  return diagnosis({
    category: 'ingress-config',
    summary: `Service ${q(svc.meta.name, 63)} has no port ${portText(port)} (its ports: ${q(servicePortsText(svc), 80)}); Ingress ${q(ing.meta.name)} routes ${q(backends.map((b) => b.route).join(', '), 120)} to it`,
    explanation:
      'An Ingress backend names a port of the Service (its port number or port name, not the container port). The controller finds no such port and answers these routes with 503.',
    confidence: 0.85,
    fields: backends.map((b) => `${b.path}.service.port.${port.number !== undefined ? 'number' : 'name'}`),
    evidence: ctx.incident.evidence,
    fixes: [
      only
        ? { summary: `Use the Service's port ${only.port}${only.name ? ` (${q(only.name, 63)})` : ''} in the backend` }
        : { summary: `Use one of the Service's ports (${q(servicePortsText(svc), 80)}) in the backend` },
      { summary: `Or add port ${portText(port)} to Service ${q(svc.meta.name, 63)}` },
    ],
  });
}

function tlsCause(ctx: DiagnoseContext, ing: Ingress, secret: string): Diagnosis {
  const ns = ing.meta.namespace;
  const tls = ing.tls.filter((t) => t.secretName === secret);
  const hosts = tls.flatMap((t) => t.hosts).join(', ') || 'every host';
  return diagnosis({
    category: 'ingress-config',
    summary: `TLS Secret ${q(secret, 63)} does not exist in namespace ${q(ns)}; Ingress ${q(ing.meta.name)} serves ${q(hosts, 120)} with it`,
    explanation:
      'Without the certificate Secret, the controller serves these hosts with its own default (self-signed) certificate or refuses HTTPS for them; clients see certificate errors.',
    confidence: 0.85,
    fields: tls.map((t) => `${t.path}.secretName`),
    evidence: ctx.incident.evidence,
    fixes: [
      {
        summary: `Create the TLS Secret: kubectl create secret tls ${q(secret, 63)} --cert=<file> --key=<file> -n ${q(ns)} (or let cert-manager issue it)`,
      },
      { summary: 'Or name an existing TLS Secret in secretName' },
    ],
  });
}

function diagnoseIngress(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  const ing = snapshot.get('Ingress', incident.workload.namespace, incident.workload.name);
  const key = incident.key ?? '';
  if (!ing) return undefined;
  if (key === 'class') return classCause(ctx, ing);
  if (key.startsWith('service:')) return serviceCause(ctx, ing, key.slice('service:'.length));
  if (key.startsWith('tls:')) return tlsCause(ctx, ing, key.slice('tls:'.length));
  if (key.startsWith('port:')) {
    const name = key.slice('port:'.length, key.lastIndexOf(':'));
    const svc = snapshot.get('Service', ing.meta.namespace, name);
    return svc ? portCause(ctx, ing, svc, key) : serviceCause(ctx, ing, name);
  }
  return undefined;
}

export const ingressRule: DiagnosisRule = {
  types: ['IngressMisconfigured'],
  diagnose: diagnoseIngress,
};
