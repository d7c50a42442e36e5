// Field images: the values of the fields a change touches, read from an object the API returned,
// compared, and turned back into a patch. All path handling of the act loop goes through here
// (the one field-path grammar of model/fieldPath: `spec.template.spec.containers[name=api].resources.limits.memory`).
import { addToPatch, readAtPath, setAtPath, tryParseFieldPath, writtenField } from '../model/fieldPath';
import type { FieldImage } from '../model/proposal';
import type { SpecEdit } from '../model/rootCause';
import { canonicalJson } from './sha256';

type Obj = Record<string, unknown>;

/** The value at `path` in `object`; `present: false` when any step is missing (or the path is malformed). */
export function readField(object: unknown, path: string): FieldImage[string] {
  if (!tryParseFieldPath(path)) return { present: false };
  const value = readAtPath(object, path);
  return value === undefined ? { present: false } : { present: true, value: structuredClone(value) };
}

/** The image of several fields of one object. */
export function readImage(object: unknown, paths: readonly string[]): FieldImage {
  const image: FieldImage = {};
  for (const p of paths) image[p] = readField(object, p);
  return image;
}

/** Paths whose values differ between two images (a path missing from one side counts as absent). */
export function imageDiff(a: FieldImage, b: FieldImage): string[] {
  const paths = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...paths].filter(
    (p) => canonicalJson(a[p] ?? { present: false }) !== canonicalJson(b[p] ?? { present: false }),
  );
}

export function sameImage(a: FieldImage, b: FieldImage): boolean {
  return imageDiff(a, b).length === 0;
}

/**
 * A strategic merge patch that puts an image back: present fields get their value, absent ones
 * `null` (which deletes them). Named list items are addressed by their merge key; `current` (the
 * object as last read) serves paths through a list index.
 */
export function patchFromImage(image: FieldImage, current?: unknown): Obj {
  const root: Obj = {};
  for (const [path, field] of Object.entries(image))
    addToPatch(root, path, field.present ? structuredClone(field.value) : null, current);
  return root;
}

/** A short "path: before → after" text for one field, for the CLI and the ledger view. */
export function describeField(
  path: string,
  before: FieldImage[string] | undefined,
  after: FieldImage[string] | undefined,
): string {
  const show = (f: FieldImage[string] | undefined) =>
    !f || !f.present ? '∅' : typeof f.value === 'object' ? canonicalJson(f.value).slice(0, 80) : String(f.value);
  return `${path}: ${show(before)} → ${show(after)}`;
}

/**
 * Lists a patch replaces whole (edits through a list index) that are not the live list with the
 * edits applied: the list was copied from an older read of the object, and writing it would undo
 * whatever changed since. Returns their paths (empty when the patch is still faithful).
 */
export function staleReplacedLists(edits: readonly SpecEdit[], patch: unknown, live: unknown): string[] {
  const replaced = [...new Set(edits.map((e) => writtenField(e.path)).filter((w, i) => w !== edits[i]!.path))];
  if (replaced.length === 0) return [];
  const expected = { root: structuredClone(live ?? {}) as Obj };
  try {
    for (const e of edits) setAtPath(expected.root, e.path, e.value);
  } catch {
    return replaced;
  }
  return replaced.filter(
    (path) => canonicalJson(readAtPath(expected.root, path) ?? null) !== canonicalJson(readAtPath(patch, path) ?? null),
  );
}
