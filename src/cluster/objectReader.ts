// Reads one object from the API as YAML for a read-only view, without the server-managed noise.
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { ObjectRef } from '../core/model/resources';
import { KIND_BINDINGS } from './resourceKinds';
import { describeClusterError } from './errors';

export async function readObjectYaml(kc: KubeConfig, ref: ObjectRef): Promise<string> {
  // NimbusGuard never holds a Secret's data, not even to show it.
  if (ref.kind === 'Secret')
    throw new Error(
      `Secret ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}: NimbusGuard does not read Secret contents; use kubectl if you need them`,
    );
  const binding = KIND_BINDINGS.find((b) => b.kind === ref.kind);
  const apiVersion = binding?.type.apiVersion ?? (ref.kind === 'ReplicaSet' ? 'apps/v1' : 'v1');
  const client = KubernetesObjectApi.makeApiClient(kc);
  try {
    const object = (await client.read({
      apiVersion,
      kind: ref.kind,
      metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
    })) as Record<string, any>;
    const plain = JSON.parse(JSON.stringify(object)) as Record<string, any>;
    if (plain['metadata']) delete plain['metadata']['managedFields'];
    return stringify(plain, { lineWidth: 0 });
  } catch (error) {
    throw new Error(
      `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}: ${describeClusterError(error).message}`,
      { cause: error },
    );
  }
}
