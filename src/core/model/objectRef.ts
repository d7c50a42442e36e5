// Everything done with a reference to a Kubernetes object: building one from a record, the one key
// it is stored and grouped under, and comparing two. (The ObjectRef shape itself is declared with
// the API records in resources.ts.)
import type { Meta, ObjectRef } from './resources';

/** The reference to an object of `kind` with this metadata. */
export function refOf(kind: string, meta: Pick<Meta, 'namespace' | 'name' | 'uid'>): ObjectRef {
  return { kind, namespace: meta.namespace, name: meta.name, uid: meta.uid };
}

/** The reference to a workload record (Deployment, StatefulSet, DaemonSet). */
export function workloadRef(w: { kind: string; namespace: string; name: string; uid: string }): ObjectRef {
  return { kind: w.kind, namespace: w.namespace, name: w.name, uid: w.uid };
}

/**
 * The key an object is stored and grouped under: "Deployment/shop/api" ("Node//n1" for a cluster
 * object). Names and namespaces cannot contain "/", so two objects never share a key; the uid is
 * left out so a reference from an event or a selector matches the record it names.
 */
export function refKey(ref: Pick<ObjectRef, 'kind' | 'namespace' | 'name'>): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

/** Whether two references name the same object (kind, namespace and name; the uid is ignored). */
export function sameRef(
  a: Pick<ObjectRef, 'kind' | 'namespace' | 'name'>,
  b: Pick<ObjectRef, 'kind' | 'namespace' | 'name'>,
): boolean {
  return a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;
}
