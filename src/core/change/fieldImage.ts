// Field images: the values of the fields a change touches, read from an object the API returned,
// compared, and turned back into a patch. All path handling of the act loop goes through here
// (on the diagnosis' path syntax, `spec.template.spec.containers[name=api].resources.limits.memory`).
import { parsePath } from '../diagnose/fixes';
import type { FieldImage } from '../model/proposal';
import { canonicalJson } from './sha256';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(o: Obj, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

function setOwn(o: Obj, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The value at `path` in `object`; `present: false` when any step is missing. */
export function readField(object: unknown, path: string): FieldImage[string] {
  const segments = parsePath(path);
  if (!segments) return { present: false };
  let at: unknown = object;
  for (const seg of segments) {
    if (!isObj(at)) return { present: false };
    const next = own(at, seg.key);
    if ('matchKey' in seg) {
      if (!Array.isArray(next)) return { present: false };
      at = next.find((x) => isObj(x) && String(own(x, seg.matchKey)) === seg.matchValue);
    } else {
      at = next;
    }
    if (at === undefined) return { present: false };
  }
  return { present: true, value: structuredClone(at) };
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
  return [...paths].filter((p) => canonicalJson(a[p] ?? { present: false }) !== canonicalJson(b[p] ?? { present: false }));
}

export function sameImage(a: FieldImage, b: FieldImage): boolean {
  return imageDiff(a, b).length === 0;
}

/**
 * A strategic merge patch that puts an image back: present fields get their value, absent ones
 * `null` (which deletes them). Named list items are addressed by their merge key.
 */
export function patchFromImage(image: FieldImage): Obj {
  const root: Obj = {};
  for (const [path, field] of Object.entries(image)) {
    const segments = parsePath(path);
    const last = segments?.[segments.length - 1];
    if (!segments || !last || 'matchKey' in last) continue;
    let at = root;
    for (const seg of segments.slice(0, -1)) {
      if ('matchKey' in seg) {
        let list = own(at, seg.key);
        if (!Array.isArray(list)) setOwn(at, seg.key, (list = []));
        const items = list as unknown[];
        let item = items.find((x): x is Obj => isObj(x) && own(x, seg.matchKey) === seg.matchValue);
        if (!item) {
          item = {};
          setOwn(item, seg.matchKey, seg.matchValue);
          items.push(item);
        }
        at = item;
      } else {
        let next = own(at, seg.key);
        if (!isObj(next)) setOwn(at, seg.key, (next = {}));
        at = next as Obj;
      }
    }
    setOwn(at, last.key, field.present ? structuredClone(field.value) : null);
  }
  return root;
}

/** A short "path: before → after" text for one field, for the CLI and the ledger view. */
export function describeField(path: string, before: FieldImage[string] | undefined, after: FieldImage[string] | undefined): string {
  const show = (f: FieldImage[string] | undefined) => (!f || !f.present ? '∅' : typeof f.value === 'object' ? canonicalJson(f.value).slice(0, 80) : String(f.value));
  return `${path}: ${show(before)} → ${show(after)}`;
}
