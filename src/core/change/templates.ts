// Pod templates in the ledger: literal env values and Secret data are masked (their hash kept),
// and a template is identified by a hash that ignores the controller's pod-template-hash label.
import { canonicalJson, sha256Hex } from './sha256';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw Kubernetes JSON, read field by field
type Obj = Record<string, any>;

export const MASK_PREFIX = 'masked:sha256:';

/** The template without the pod-template-hash label, as `rollout undo` compares them. */
export function normalizeTemplate(template: Obj): Obj {
  const t = structuredClone(template);
  if (t['metadata']?.['labels']) {
    delete t['metadata']['labels']['pod-template-hash'];
  }
  return t;
}

export function templateHash(template: Obj): string {
  return sha256Hex(canonicalJson(normalizeTemplate(template)));
}

function maskValue(v: unknown): string {
  return `${MASK_PREFIX}${sha256Hex(String(v)).slice(0, 16)}`;
}

/** A copy with every literal env value of every container masked. */
export function maskTemplate(template: Obj): Obj {
  const t = structuredClone(template);
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
    for (const c of (t['spec']?.[list] ?? []) as Obj[]) {
      for (const e of (c['env'] ?? []) as Obj[]) if (typeof e['value'] === 'string') e['value'] = maskValue(e['value']);
    }
  }
  return t;
}

/** Masks a field value when its path names a literal env value or Secret data. */
export function maskFieldValue(path: string, value: unknown): unknown {
  if (/\.env\[[^\]]*\]\.value$/.test(path) || /^(data|stringData)\b/.test(path)) return maskValue(value);
  if (/^spec\.template$/.test(path) && value && typeof value === 'object') return maskTemplate(value as Obj);
  if (/\.env$/.test(path) && Array.isArray(value))
    return value.map((e: Obj) => (typeof e?.['value'] === 'string' ? { ...e, value: maskValue(e['value']) } : e));
  return value;
}
