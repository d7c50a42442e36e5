// Plain records for what routes traffic into the cluster: Ingresses and their classes, and the
// Gateway API kinds (GatewayClass, Gateway, HTTPRoute). Each reference keeps the path of the
// field it was read from, so a cause can point at the exact line of the manifest.
import type { Condition, Meta } from './resources';

/** A Service port as a backend names it: by number or by name. */
export interface ServicePortRef {
  number?: number;
  name?: string;
}

export interface IngressBackend {
  /** Field path of the backend, e.g. "spec.rules[0].http.paths[1].backend" or "spec.defaultBackend". */
  path: string;
  /** The rule's host and path, for messages ("shop.example.com/api"); empty for the default backend. */
  route: string;
  /** Set for Service backends; resource backends (a custom kind) carry none. */
  service?: { name: string; port: ServicePortRef };
}

export interface IngressTls {
  path: string;
  secretName?: string;
  hosts: string[];
}

export interface Ingress {
  meta: Meta;
  /** spec.ingressClassName. */
  className?: string;
  /** The deprecated kubernetes.io/ingress.class annotation, still read by many controllers. */
  classAnnotation?: string;
  backends: IngressBackend[];
  tls: IngressTls[];
  /** Addresses the controller published in status.loadBalancer. */
  addresses: string[];
}

export interface IngressClass {
  meta: Meta;
  controller: string;
  /** Annotated ingressclass.kubernetes.io/is-default-class=true. */
  isDefault: boolean;
}

export interface GatewayClass {
  meta: Meta;
  controllerName: string;
  conditions: Condition[];
}

export interface GatewayListener {
  name: string;
  port: number;
  protocol: string;
  conditions: Condition[];
}

export interface Gateway {
  meta: Meta;
  className: string;
  listeners: GatewayListener[];
  conditions: Condition[];
}

export interface RouteParentRef {
  path: string;
  group: string;
  kind: string;
  namespace: string;
  name: string;
  sectionName?: string;
}

export interface RouteBackendRef {
  path: string;
  group: string;
  kind: string;
  namespace: string;
  name: string;
  port?: number;
}

export interface HTTPRoute {
  meta: Meta;
  parents: RouteParentRef[];
  backends: RouteBackendRef[];
  /** status.parents: how each parent's controller judged the route. */
  parentStatuses: { parent: Omit<RouteParentRef, 'path'>; conditions: Condition[] }[];
}
