// Ingresses, IngressClasses and the Gateway API kinds → plain records. Every reference keeps the
// path of the field it came from, in the manifest form the causes and fixes use.
import type { Meta } from '../core/model/resources';
import type {
  Gateway,
  GatewayClass,
  HTTPRoute,
  Ingress,
  IngressBackend,
  IngressClass,
  RouteBackendRef,
  RouteParentRef,
  ServicePortRef,
} from '../core/model/routing';
import { arr, conditions, n, obj, opt, str, toMeta, type Obj } from './convert';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

function portRef(p: Obj): ServicePortRef {
  return { ...(typeof p['number'] === 'number' ? { number: p['number'] } : {}), ...opt('name', str(p['name'])) };
}

function ingressBackend(path: string, route: string, b: Obj): IngressBackend {
  const svc = b['service'] ? obj(b['service']) : undefined;
  return { path, route, ...(svc ? { service: { name: str(svc['name']), port: portRef(obj(svc['port'])) } } : {}) };
}

export function toIngress(o: Obj): Ingress {
  const meta = toMeta(o);
  const spec = obj(o['spec']);
  const backends: IngressBackend[] = [];
  if (spec['defaultBackend'])
    backends.push(ingressBackend('spec.defaultBackend', '(default backend)', obj(spec['defaultBackend'])));
  arr(spec['rules']).forEach((rule, r) => {
    arr(obj(rule['http'])['paths']).forEach((p, i) => {
      backends.push(
        ingressBackend(
          `spec.rules[${r}].http.paths[${i}].backend`,
          `${str(rule['host']) || '*'}${str(p['path']) || '/'}`,
          obj(p['backend']),
        ),
      );
    });
  });
  const ingress = arr(obj(obj(o['status'])['loadBalancer'])['ingress']);
  return {
    meta,
    ...opt('className', str(spec['ingressClassName'])),
    ...opt('classAnnotation', meta.annotations['kubernetes.io/ingress.class']),
    backends,
    tls: arr(spec['tls']).map((t, i) => ({
      path: `spec.tls[${i}]`,
      ...opt('secretName', str(t['secretName'])),
      hosts: Array.isArray(t['hosts']) ? t['hosts'].map(str) : [],
    })),
    addresses: ingress.map((a) => str(a['ip']) || str(a['hostname'])).filter((a) => a !== ''),
  };
}

export function toIngressClass(o: Obj): IngressClass {
  const meta = toMeta(o);
  return {
    meta,
    controller: str(obj(o['spec'])['controller']),
    isDefault: meta.annotations['ingressclass.kubernetes.io/is-default-class'] === 'true',
  };
}

export function toGatewayClass(o: Obj): GatewayClass {
  return {
    meta: toMeta(o),
    controllerName: str(obj(o['spec'])['controllerName']),
    conditions: conditions(obj(o['status'])['conditions']),
  };
}

export function toGateway(o: Obj): Gateway {
  const spec = obj(o['spec']);
  const status = obj(o['status']);
  const listenerStatus = arr(status['listeners']);
  return {
    meta: toMeta(o),
    className: str(spec['gatewayClassName']),
    listeners: arr(spec['listeners']).map((l) => ({
      name: str(l['name']),
      port: n(l['port']),
      protocol: str(l['protocol']),
      conditions: conditions(listenerStatus.find((s) => s['name'] === l['name'])?.['conditions']),
    })),
    conditions: conditions(status['conditions']),
  };
}

/** Defaults as the Gateway API defines them: a parent is a Gateway, a backend a core Service, both in the route's namespace. */
function parentRef(meta: Meta, p: Obj, path: string): RouteParentRef {
  return {
    path,
    group: p['group'] === undefined ? GATEWAY_GROUP : str(p['group']),
    kind: str(p['kind']) || 'Gateway',
    namespace: str(p['namespace']) || meta.namespace,
    name: str(p['name']),
    ...opt('sectionName', str(p['sectionName'])),
  };
}

function backendRef(meta: Meta, b: Obj, path: string): RouteBackendRef {
  return {
    path,
    group: str(b['group']),
    kind: str(b['kind']) || 'Service',
    namespace: str(b['namespace']) || meta.namespace,
    name: str(b['name']),
    ...(typeof b['port'] === 'number' ? { port: b['port'] } : {}),
  };
}

export function toHTTPRoute(o: Obj): HTTPRoute {
  const meta = toMeta(o);
  const spec = obj(o['spec']);
  const backends: RouteBackendRef[] = [];
  arr(spec['rules']).forEach((rule, r) => {
    arr(rule['backendRefs']).forEach((b, i) =>
      backends.push(backendRef(meta, b, `spec.rules[${r}].backendRefs[${i}]`)),
    );
  });
  return {
    meta,
    parents: arr(spec['parentRefs']).map((p, i) => parentRef(meta, p, `spec.parentRefs[${i}]`)),
    backends,
    parentStatuses: arr(obj(o['status'])['parents']).map((s) => {
      const { path: _path, ...parent } = parentRef(meta, obj(s['parentRef']), '');
      return { parent, conditions: conditions(s['conditions']) };
    }),
  };
}
