// Whether a workspace manifest holds an applied change: every field the change wrote has, in the
// manifest's object, the value the API server returned after the write (quantities compared by
// amount, so `0.25Gi` and `256Mi` agree; masked values by their hash). The ledger marks a change
// "cluster only" until this holds.
import { parseAllDocuments } from 'yaml';
import { parseQuantity } from '../model/quantity';
import type { ChangeRecord } from '../model/proposal';
import { readImage } from './fieldImage';
import { canonicalJson } from './sha256';
import { maskFieldValue } from './templates';

/** The plain object of one YAML document of `text`, or undefined when it is missing or broken. */
export function manifestDocument(text: string, document: number): unknown {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return undefined;
  const doc = docs[document];
  if (!doc || doc.errors.length > 0) return undefined;
  return doc.toJS() as unknown;
}

function sameValue(path: string, manifest: unknown, applied: unknown): boolean {
  const m = maskFieldValue(path, manifest);
  if (canonicalJson(m) === canonicalJson(applied)) return true;
  if (
    (typeof m === 'string' || typeof m === 'number') &&
    (typeof applied === 'string' || typeof applied === 'number')
  ) {
    const a = parseQuantity(String(m));
    const b = parseQuantity(String(applied));
    return a !== undefined && b !== undefined && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  }
  return false;
}

/**
 * The fields whose manifest value differs from what the change left on the cluster (empty: the
 * manifest holds the change). A whole pod template (a revision rollback) is never judged equal:
 * the API's defaults make it differ from any manifest, so it stays "cluster only".
 */
export function fieldsNotInManifest(change: Pick<ChangeRecord, 'after'>, manifest: unknown): string[] {
  const after = change.after ?? {};
  const paths = Object.keys(after);
  const image = readImage(manifest, paths);
  return paths.filter((p) => {
    const a = after[p]!;
    const m = image[p]!;
    if (p === 'spec.template') return true;
    if (!a.present || !m.present) return a.present !== m.present;
    return !sameValue(p, m.value, a.value);
  });
}
