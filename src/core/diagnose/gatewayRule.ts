// Gateway API objects that do not serve: the class no controller accepted, the Gateway its
// controller refused or could not program, the route's missing parent, backend or backend port.
// The summary names the culprit object; the fixes name the field to change or what to create.
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { condition } from '../detect/support';
import { servicePortsText } from '../detect/ingressMisconfigured';
import { nearestName } from './ingressRule';
import { diagnosis, q, type Diagnosis } from './ruleSupport';

function classCause(ctx: DiagnoseContext): Diagnosis | undefined {
  const cls = ctx.snapshot.get('GatewayClass', '', ctx.incident.workload.name);
  if (!cls) return undefined;
  const c = condition(cls.conditions, 'Accepted');
  return diagnosis({
    category: 'gateway-config',
    summary: c
      ? `the controller ${q(cls.controllerName, 100)} rejects GatewayClass ${q(cls.meta.name)}: ${q(c.reason ?? 'not accepted', 60)}${c.message ? ` (${q(c.message, 160)})` : ''}`
      : `no controller named ${q(cls.controllerName, 100)} runs in the cluster, so GatewayClass ${q(cls.meta.name)} is never accepted`,
    explanation:
      'A GatewayClass is served by the controller whose name it carries in spec.controllerName. Until that controller accepts the class, none of its Gateways gets an address or routes traffic.',
    confidence: c ? 0.8 : 0.75,
    fields: ['spec.controllerName'],
    evidence: ctx.incident.evidence,
    fixes: [
      c
        ? { summary: 'Fix what the controller names (parametersRef, unsupported settings)' }
        : {
            summary: `Install the Gateway controller that implements ${q(cls.controllerName, 100)}, or correct spec.controllerName`,
          },
    ],
  });
}

function gatewayCause(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  const gw = snapshot.get('Gateway', incident.workload.namespace, incident.workload.name);
  if (!gw) return undefined;
  if (incident.key === 'class') {
    const classes = snapshot.list('GatewayClass').map((c) => c.meta.name);
    const near = nearestName(gw.className, classes) ?? (classes.length === 1 ? classes[0] : undefined);
    return diagnosis({
      category: 'gateway-config',
      summary: `GatewayClass ${q(gw.className, 63)} does not exist (the cluster has: ${q(classes.join(', ') || 'none', 100)}); Gateway ${q(gw.meta.name)} names it`,
      explanation:
        'No controller picks up a Gateway whose class does not exist: it gets no address and its routes serve nothing.',
      confidence: 0.9,
      fields: ['spec.gatewayClassName'],
      evidence: incident.evidence,
      fixes: [
        near
          ? {
              summary: `Set spec.gatewayClassName to ${q(near, 63)}`,
              edits: [{ path: 'spec.gatewayClassName', value: near, previous: gw.className }],
            }
          : undefined,
        { summary: `Or create GatewayClass ${q(gw.className, 63)} for a controller that runs in the cluster` },
      ],
    });
  }
  const type = incident.key === 'programmed' ? 'Programmed' : 'Accepted';
  const c = condition(gw.conditions, type);
  const listeners = gw.listeners.filter((l) => l.conditions.some((x) => x.status === 'False'));
  return diagnosis({
    category: 'gateway-config',
    summary: `the controller of Gateway ${q(gw.meta.name)} reports it not ${type.toLowerCase()}: ${q(c?.reason ?? `no ${type} condition`, 60)}${c?.message ? ` (${q(c.message, 160)})` : ''}${listeners.length > 0 ? `; listeners ${q(listeners.map((l) => l.name).join(', '), 80)} failing` : ''}`,
    explanation:
      type === 'Programmed'
        ? 'The controller accepted the Gateway but could not set up the data plane for it (no address assigned, a listener port in use, a certificate it cannot load): no traffic reaches its routes.'
        : 'The controller refused the Gateway as written (unsupported listener, invalid TLS reference, a conflict between listeners).',
    confidence: c ? 0.75 : 0.5,
    fields: listeners.length > 0 ? ['spec.listeners'] : [],
    evidence: incident.evidence,
    fixes: [
      {
        summary: `Fix what the ${type} condition names on Gateway ${q(gw.meta.name)}${listeners.length > 0 ? ` (listeners ${q(listeners.map((l) => l.name).join(', '), 80)})` : ''}`,
      },
    ],
  });
}

function routeCause(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  const route = snapshot.get('HTTPRoute', incident.workload.namespace, incident.workload.name);
  const key = incident.key ?? '';
  if (!route) return undefined;
  const sep = key.indexOf(':');
  const what = key.slice(0, sep);
  const target = key.slice(sep + 1);
  const [ns = '', rest = ''] = target.split('/');
  const name = rest.split(':')[0] ?? '';
  if (what === 'parent') {
    const near = nearestName(
      name,
      snapshot.list('Gateway', ns).map((g) => g.meta.name),
    );
    const refs = route.parents.filter((p) => p.namespace === ns && p.name === name);
    return diagnosis({
      category: 'gateway-config',
      summary: `Gateway ${q(`${ns}/${name}`, 120)} does not exist; HTTPRoute ${q(route.meta.name)} attaches to it${near ? ` (did you mean ${q(near, 63)}?)` : ''}`,
      explanation:
        'A route serves traffic only through the Gateways it attaches to. With its parent missing, no Gateway routes these requests.',
      confidence: 0.9,
      fields: refs.map((p) => `${p.path}.name`),
      evidence: incident.evidence,
      fixes: [
        near
          ? { summary: `Point ${q(refs.map((p) => `${p.path}.name`).join(', '), 120)} at Gateway ${q(near, 63)}` }
          : undefined,
        { summary: `Or create Gateway ${q(name, 63)} in namespace ${q(ns)}` },
      ],
    });
  }
  if (what === 'rejected') {
    const status = route.parentStatuses.find((s) => s.parent.namespace === ns && s.parent.name === name);
    const c = status ? condition(status.conditions, 'Accepted') : undefined;
    return diagnosis({
      category: 'gateway-config',
      summary: `Gateway ${q(`${ns}/${name}`, 120)} rejects HTTPRoute ${q(route.meta.name)}: ${q(c?.reason ?? 'not accepted', 60)}${c?.message ? ` (${q(c.message, 160)})` : ''}`,
      explanation:
        "The Gateway exists but does not let this route attach: its listeners allow routes from other namespaces or kinds only, no listener matches the route's hostnames, or the sectionName names no listener.",
      confidence: 0.75,
      fields: route.parents.filter((p) => p.namespace === ns && p.name === name).map((p) => p.path),
      evidence: incident.evidence,
      fixes: [
        {
          summary: `Match the route to a listener of Gateway ${q(name, 63)} (hostnames, sectionName) or allow it in the listener's allowedRoutes`,
        },
      ],
    });
  }
  const backends = route.backends.filter((b) => b.namespace === ns && b.name === name);
  if (what === 'backend') {
    const near = nearestName(
      name,
      snapshot.list('Service', ns).map((s) => s.meta.name),
    );
    return diagnosis({
      category: 'gateway-config',
      summary: `Service ${q(`${ns}/${name}`, 120)} does not exist; HTTPRoute ${q(route.meta.name)} sends traffic to it${near ? ` (did you mean ${q(near, 63)}?)` : ''}`,
      explanation:
        'Requests matched by these rules get 500 responses from the Gateway: the backend Service they name is not there.',
      confidence: 0.9,
      fields: backends.map((b) => `${b.path}.name`),
      evidence: incident.evidence,
      fixes: [
        near
          ? { summary: `Point ${q(backends.map((b) => `${b.path}.name`).join(', '), 120)} at Service ${q(near, 63)}` }
          : undefined,
        { summary: `Or create Service ${q(name, 63)} in namespace ${q(ns)}` },
      ],
    });
  }
  const svc = snapshot.get('Service', ns, name);
  if (what !== 'port' || !svc) return undefined;
  const port = Number(key.slice(key.lastIndexOf(':') + 1));
  const bad = backends.filter((b) => b.port === port);
  const only = svc.ports.length === 1 ? svc.ports[0] : undefined;
  return diagnosis({
    category: 'gateway-config',
    summary: `Service ${q(name, 63)} has no port ${port} (its ports: ${q(servicePortsText(svc), 80)}); HTTPRoute ${q(route.meta.name)} sends traffic to it`,
    explanation:
      "A backendRef names a port of the Service (its port, not the container's targetPort). The Gateway finds no such port and answers these requests with errors.",
    confidence: 0.85,
    fields: bad.map((b) => `${b.path}.port`),
    evidence: incident.evidence,
    fixes: [
      only
        ? { summary: `Use the Service's port ${only.port} in ${q(bad.map((b) => `${b.path}.port`).join(', '), 120)}` }
        : { summary: `Use one of the Service's ports (${q(servicePortsText(svc), 80)})` },
      { summary: `Or add port ${port} to Service ${q(name, 63)}` },
    ],
  });
}

function diagnoseGateway(ctx: DiagnoseContext): Diagnosis | undefined {
  switch (ctx.incident.workload.kind) {
    case 'GatewayClass':
      return classCause(ctx);
    case 'Gateway':
      return gatewayCause(ctx);
    case 'HTTPRoute':
      return routeCause(ctx);
    default:
      return undefined;
  }
}

export const gatewayRule: DiagnosisRule = {
  types: ['GatewayMisconfigured'],
  diagnose: diagnoseGateway,
};
