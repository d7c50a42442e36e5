// Kinds NimbusGuard only needs to know exist (Secrets): listed and watched as
// PartialObjectMetadata, and cut down to identity fields before anything keeps them. The API
// server still sends annotations with the metadata, and kubectl's last-applied annotation holds
// an applied Secret's plaintext, so annotations and managedFields are dropped on arrival, before
// the informer's cache or the snapshot sees the object.
import type { KubeConfig } from '@kubernetes/client-node';
import type { SecretMeta } from '../core/model/resources';
import { obj, type Obj, toMeta } from './convert';

export const PARTIAL_METADATA_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
export const PARTIAL_METADATA = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

const KEPT = [
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'creationTimestamp',
  'deletionTimestamp',
  'labels',
  'ownerReferences',
  'generation',
] as const;

/** The object reduced to its kind and identity metadata: no data, no annotations, no managedFields. */
export function identityOnly(o: unknown): Obj {
  const source = obj(obj(o)['metadata']);
  const metadata: Obj = {};
  for (const key of KEPT) if (source[key] !== undefined) metadata[key] = source[key];
  const out: Obj = { metadata };
  const kind = obj(o)['kind'];
  const apiVersion = obj(o)['apiVersion'];
  if (typeof kind === 'string') out['kind'] = kind;
  if (typeof apiVersion === 'string') out['apiVersion'] = apiVersion;
  return out;
}

export function toSecretMeta(o: Obj): SecretMeta {
  const meta = toMeta(identityOnly(o));
  return { meta: { ...meta, annotations: {} } };
}

/**
 * The subset of a KubeConfig a Watch uses, asking for PartialObjectMetadata instead of the whole
 * object. The API server then sends no Secret data at all.
 */
export function metadataWatchConfig(kc: KubeConfig): KubeConfig {
  const adapter = {
    getCurrentCluster: () => kc.getCurrentCluster(),
    applySecurityAuthentication: async (ctx: { setHeaderParam(key: string, value: string): void }) => {
      await kc.applySecurityAuthentication(ctx as Parameters<KubeConfig['applySecurityAuthentication']>[0]);
      ctx.setHeaderParam('Accept', PARTIAL_METADATA);
    },
  };
  return adapter as unknown as KubeConfig;
}
