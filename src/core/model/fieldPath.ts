// The one grammar for field paths inside a Kubernetes object, as rules print them, the editor
// locates them, quick fixes edit them and patches are built from them:
//
//   spec.template.spec.containers[name=api].resources.limits.memory   a key, a list item by merge key
//   spec.selector['app.kubernetes.io/name']                           a key with dots or slashes, quoted
//   spec.metrics[0].resource.target.averageUtilization                a list item by index
//
// Quoted keys and selector values may use '…' or "…" with backslash escapes for the quote and the
// backslash. Anything else is refused with a FieldPathError that says where and why.

export type FieldPathSegment =
  | { kind: 'key'; key: string }
  | { kind: 'index'; index: number }
  /** The list item whose `key` field equals `value` (the list's merge key, e.g. a container's name). */
  | { kind: 'select'; key: string; value: string };

export type FieldPath = readonly FieldPathSegment[];

export class FieldPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldPathError';
  }
}

export const MAX_PATH_LENGTH = 2000;
export const MAX_PATH_SEGMENTS = 100;
const MAX_INDEX = 100_000;

/** Keys written without quotes; everything else is printed as ['…']. */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Selector values written without quotes. */
const PLAIN_VALUE = /^[^\]'"\\[\s=]*$/;
/** Characters a plain key may not contain (they belong to the grammar or need quoting). */
const NOT_IN_PLAIN_KEY = /[.[\]'"\\\s=]/;

function shown(path: string): string {
  return JSON.stringify(path.length > 80 ? `${path.slice(0, 77)}...` : path);
}

function fail(path: string, at: number, why: string): never {
  throw new FieldPathError(`field path ${shown(path)}: ${why} at character ${at + 1}`);
}

/** Reads a quoted string starting at `at` (on the quote); returns the text and the index after it. */
function readQuoted(path: string, at: number): [string, number] {
  const quote = path[at]!;
  let out = '';
  for (let i = at + 1; i < path.length; i++) {
    const c = path[i]!;
    if (c === '\\') {
      const next = path[i + 1];
      if (next !== '\\' && next !== "'" && next !== '"')
        fail(path, i, 'a backslash may only escape a quote or a backslash');
      out += next;
      i++;
    } else if (c === quote) return [out, i + 1];
    else out += c;
  }
  return fail(path, at, `the quote ${quote} is never closed`);
}

function readBracket(path: string, at: number): [FieldPathSegment, number] {
  const start = at + 1;
  const first = path[start];
  if (first === "'" || first === '"') {
    const [key, end] = readQuoted(path, start);
    if (path[end] !== ']')
      fail(path, end, end >= path.length ? 'the [ is never closed' : 'expected ] after the quoted key');
    return [{ kind: 'key', key }, end + 1];
  }
  const close = path.indexOf(']', start);
  const eq = path.indexOf('=', start);
  if (eq >= 0 && (close < 0 || eq < close)) {
    const key = path.slice(start, eq);
    if (key === '' || NOT_IN_PLAIN_KEY.test(key))
      fail(path, start, `the list selector key ${JSON.stringify(key)} is not a plain field name`);
    const vStart = eq + 1;
    if (path[vStart] === "'" || path[vStart] === '"') {
      const [value, end] = readQuoted(path, vStart);
      if (path[end] !== ']')
        fail(path, end, end >= path.length ? 'the [ is never closed' : 'expected ] after the quoted selector value');
      return [{ kind: 'select', key, value }, end + 1];
    }
    if (close < 0) fail(path, at, 'the [ is never closed');
    const value = path.slice(vStart, close);
    if (!PLAIN_VALUE.test(value)) fail(path, vStart, `the selector value ${JSON.stringify(value)} must be quoted`);
    return [{ kind: 'select', key, value }, close + 1];
  }
  if (close < 0) fail(path, at, 'the [ is never closed');
  const text = path.slice(start, close);
  if (!/^\d+$/.test(text))
    fail(path, start, `expected a list index, name=value or a quoted key inside [], not ${JSON.stringify(text)}`);
  const index = Number(text);
  if (index > MAX_INDEX) fail(path, start, `the list index ${text} is too large`);
  return [{ kind: 'index', index }, close + 1];
}

/** Parses a field path; throws FieldPathError with the position and reason when it is malformed. */
export function parseFieldPath(path: string): FieldPathSegment[] {
  if (typeof path !== 'string') throw new FieldPathError(`a field path must be text, not ${typeof path}`);
  if (path === '') throw new FieldPathError('the field path is empty');
  if (path.length > MAX_PATH_LENGTH)
    throw new FieldPathError(`field path ${shown(path)} is longer than ${MAX_PATH_LENGTH} characters`);

  const control = /[\u0000-\u001f\u007f]/.exec(path);
  if (control) fail(path, control.index, 'a field path cannot contain control characters');
  const out: FieldPathSegment[] = [];
  let i = 0;
  while (i < path.length) {
    if (out.length >= MAX_PATH_SEGMENTS) fail(path, i, `more than ${MAX_PATH_SEGMENTS} segments`);
    if (path[i] === '[') {
      const [segment, next] = readBracket(path, i);
      out.push(segment);
      i = next;
    } else {
      if (out.length > 0) {
        if (path[i] !== '.') fail(path, i, `expected . or [ but found ${JSON.stringify(path[i])}`);
        i++;
      }
      let j = i;
      while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
      const key = path.slice(i, j);
      if (key === '') fail(path, i, 'empty key');
      const bad = NOT_IN_PLAIN_KEY.exec(key);
      if (bad)
        fail(
          path,
          i + bad.index,
          `the key ${JSON.stringify(key)} contains ${JSON.stringify(bad[0])}; write it as ['…']`,
        );
      out.push({ kind: 'key', key });
      i = j;
    }
  }
  return out;
}

/** The parsed path, or undefined when it is malformed (for callers that skip what they cannot read). */
export function tryParseFieldPath(path: string): FieldPathSegment[] | undefined {
  try {
    return parseFieldPath(path);
  } catch (error) {
    if (error instanceof FieldPathError) return undefined;
    throw error;
  }
}

function quote(text: string): string {
  return `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/** Cluster text with control characters cannot be a path (parseFieldPath refuses them too). */
function printable(text: string): string {
  if (/[\u0000-\u001f\u007f]/.test(text))
    throw new FieldPathError(`${JSON.stringify(text)} contains control characters`);
  return text;
}

function formatSegment(segment: FieldPathSegment, first: boolean): string {
  switch (segment.kind) {
    case 'key':
      return PLAIN_KEY.test(segment.key) ? `${first ? '' : '.'}${segment.key}` : `[${quote(printable(segment.key))}]`;
    case 'index':
      if (!Number.isSafeInteger(segment.index) || segment.index < 0 || segment.index > MAX_INDEX)
        throw new FieldPathError(`a list index must be a whole number from 0 to ${MAX_INDEX}, not ${segment.index}`);
      return `[${segment.index}]`;
    case 'select':
      if (segment.key === '' || NOT_IN_PLAIN_KEY.test(segment.key))
        throw new FieldPathError(`the list selector key ${JSON.stringify(segment.key)} is not a plain field name`);
      printable(segment.value);
      return `[${segment.key}=${PLAIN_VALUE.test(segment.value) ? segment.value : quote(segment.value)}]`;
  }
}

/** Prints segments in the form parseFieldPath reads back (the canonical form). */
export function formatFieldPath(segments: FieldPath): string {
  return segments.map((s, i) => formatSegment(s, i === 0)).join('');
}

/** `base` extended by a map key: `spec.selector.app`, `spec.selector['app.kubernetes.io/name']`. */
export function appendKey(base: string, key: string): string {
  return `${base}${formatSegment({ kind: 'key', key }, base === '')}`;
}

/** `base` extended by a list item chosen by its merge key: `spec.containers[name=api]`. */
export function appendSelector(base: string, key: string, value: string): string {
  return `${base}${formatSegment({ kind: 'select', key, value }, false)}`;
}

/** `base` extended by a list index: `spec.metrics[0]`. */
export function appendIndex(base: string, index: number): string {
  return `${base}${formatSegment({ kind: 'index', index }, false)}`;
}

/**
 * The field a strategic merge patch of `path` really writes: a list reached through an index is
 * replaced whole (`spec.ingress[0].ports[1].port` writes `spec.ingress`), so that list is what a
 * before-image must hold to put the object back. Other paths (and malformed ones) are returned as is.
 */
export function writtenField(path: string): string {
  const segments = tryParseFieldPath(path);
  if (!segments) return path;
  const at = segments.findIndex((s) => s.kind === 'index');
  return at > 0 ? formatFieldPath(segments.slice(0, at)) : path;
}

/** The container names a path selects (`containers`, `initContainers`, `ephemeralContainers`). */
export function containerNamesIn(path: FieldPath): string[] {
  const out: string[] = [];
  path.forEach((s, i) => {
    const before = path[i - 1];
    if (
      s.kind === 'select' &&
      s.key === 'name' &&
      before?.kind === 'key' &&
      /^(c|initC|ephemeralC)ontainers$/.test(before.key)
    )
      out.push(s.value);
  });
  return out;
}

// ---- values at a path in plain objects (parsed YAML or JSON) ------------------------------------

type PlainObject = Record<string, unknown>;

function isPlainObject(v: unknown): v is PlainObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(o: PlainObject, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

/** Sets an own property even for keys like "__proto__", so cluster text never reaches a prototype. */
function setOwn(o: PlainObject, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function matches(item: unknown, key: string, value: string): item is PlainObject {
  if (!isPlainObject(item)) return false;
  const v = own(item, key);
  return (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && String(v) === value;
}

function parsed(path: string | FieldPath): FieldPath {
  return typeof path === 'string' ? parseFieldPath(path) : path;
}

function step(at: unknown, segment: FieldPathSegment): unknown {
  if (segment.kind === 'key') return isPlainObject(at) ? own(at, segment.key) : undefined;
  if (!Array.isArray(at)) return undefined;
  return segment.kind === 'index' ? at[segment.index] : at.find((item) => matches(item, segment.key, segment.value));
}

/** The value at a path of a plain object, or undefined when any part of it is missing. */
export function readAtPath(root: unknown, path: string | FieldPath): unknown {
  let at = root;
  for (const segment of parsed(path)) {
    at = step(at, segment);
    if (at === undefined) return undefined;
  }
  return at;
}

function containerFor(next: FieldPathSegment): PlainObject | unknown[] {
  return next.kind === 'key' ? {} : [];
}

/**
 * Sets the value at a path of a plain object, creating missing maps and lists on the way (a list
 * item chosen by `[key=value]` is added with that key when absent, and the index just past a list's
 * end adds an item when the path names a field of it). Throws FieldPathError when the
 * object has something else where the path needs a map or a list, or an index is out of range.
 */
export function setAtPath(root: PlainObject, path: string | FieldPath, value: unknown): void {
  const segments = parsed(path);
  const text = typeof path === 'string' ? path : formatFieldPath(path);
  let at: unknown = root;
  segments.forEach((segment, i) => {
    const next = segments[i + 1];
    const where = formatFieldPath(segments.slice(0, i + 1));
    if (segment.kind === 'key') {
      if (!isPlainObject(at))
        throw new FieldPathError(
          `cannot set ${text}: ${formatFieldPath(segments.slice(0, i)) || 'the root'} is not a map`,
        );
      if (!next) return setOwn(at, segment.key, value);
      let child = own(at, segment.key);
      if (child === undefined || child === null) setOwn(at, segment.key, (child = containerFor(next)));
      at = child;
      return;
    }
    if (!Array.isArray(at))
      throw new FieldPathError(`cannot set ${text}: ${formatFieldPath(segments.slice(0, i))} is not a list`);
    if (segment.kind === 'index') {
      // The index just past the end adds an item, when the path goes on to a field of it.
      if (segment.index === at.length && next) at.push(containerFor(next));
      if (segment.index >= at.length)
        throw new FieldPathError(`cannot set ${text}: ${where} is past the end of a list of ${at.length}`);
      if (!next) {
        at[segment.index] = value;
        return;
      }
      at = at[segment.index];
      return;
    }
    if (!next) throw new FieldPathError(`cannot set ${text}: it ends in a list item; name a field of it`);
    let item = at.find((x) => matches(x, segment.key, segment.value));
    if (!item) {
      item = {};
      setOwn(item, segment.key, segment.value);
      at.push(item);
    }
    at = item;
  });
}

// ---- strategic merge patches ----------------------------------------------------------------------

/** Lists a patch replaces whole (reached through an index), as opposed to merge-key lists. */
const replacedLists = new WeakSet<unknown[]>();

/**
 * Adds one field's new value to a strategic merge patch body. A `[key=value]` selector becomes a
 * list element carrying that merge key (the API server merges it into the item with the same key),
 * so the selector key must be the list's merge key (name for containers, env, volumes, webhooks).
 * A list index cannot be addressed by a merge patch: the list is copied from `current` (the
 * object as last read) with the one item changed and the patch replaces it whole. Throws
 * FieldPathError when the path cannot be expressed: a `$` key (a patch directive), a path that
 * ends in a list item, an index with no current list, or a list both merged and replaced.
 */
export function addToPatch(patch: PlainObject, path: string | FieldPath, value: unknown, current?: unknown): void {
  const segments = parsed(path);
  const text = typeof path === 'string' ? path : formatFieldPath(path);
  if (segments[0]?.kind !== 'key') throw new FieldPathError(`cannot patch ${text}: an object's path starts with a key`);
  for (const s of segments) {
    if ((s.kind === 'key' || s.kind === 'select') && s.key.startsWith('$'))
      throw new FieldPathError(`cannot patch ${text}: ${JSON.stringify(s.key)} would be read as a patch directive`);
  }
  const last = segments[segments.length - 1]!;
  if (last.kind === 'select')
    throw new FieldPathError(`cannot patch ${text}: it ends in a list item; name a field of it`);
  // What this call adds is undone if the path turns out not to fit, so a refused edit leaves no trace.
  const undo: (() => void)[] = [];
  const create = (map: PlainObject, k: string, v: unknown) => {
    setOwn(map, k, v);
    undo.push(() => delete map[k]);
  };
  try {
    addSegments(patch, segments, text, value, current, create, undo);
  } catch (error) {
    for (const step of undo.reverse()) step();
    throw error;
  }
}

/** Copies a list with one path set in the copy; the original is not touched even when that fails. */
function replacedCopy(list: unknown[], rest: FieldPath, value: unknown): unknown[] {
  const holder: PlainObject = { list: structuredClone(list) };
  setAtPath(holder, [{ kind: 'key', key: 'list' }, ...rest], value);
  const copy = holder['list'] as unknown[];
  replacedLists.add(copy);
  return copy;
}

function addSegments(
  patch: PlainObject,
  segments: FieldPath,
  text: string,
  value: unknown,
  current: unknown,
  create: (map: PlainObject, key: string, value: unknown) => void,
  undo: (() => void)[],
): void {
  let at: PlainObject | unknown[] = patch;
  let cur = current;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const next = segments[i + 1];
    if (segment.kind === 'index') throw new FieldPathError(`cannot patch ${text}: a list index must follow a key`);
    if (segment.kind === 'select') {
      const list = at as unknown[];
      cur = step(cur, segment);
      let item = list.find((x) => matches(x, segment.key, segment.value));
      if (!item) {
        // The merge key keeps the type the object has (containerPort: 8080, not "8080").
        const typed = isPlainObject(cur) ? own(cur, segment.key) : undefined;
        item = {};
        setOwn(item, segment.key, typed ?? segment.value);
        list.push(item);
        undo.push(() => list.splice(list.indexOf(item), 1));
      }
      at = item;
      continue;
    }
    const map = at as PlainObject;
    if (!next) {
      const had = Object.prototype.hasOwnProperty.call(map, segment.key);
      const old = own(map, segment.key);
      setOwn(map, segment.key, value);
      undo.push(() => (had ? setOwn(map, segment.key, old) : delete map[segment.key]));
      return;
    }
    cur = step(cur, segment);
    let child = own(map, segment.key);
    const where = formatFieldPath(segments.slice(0, i + 1));
    // A list the patch replaces whole is a plain copy: the rest of the path is set in it.
    if (Array.isArray(child) && replacedLists.has(child)) {
      const old = child;
      setOwn(map, segment.key, replacedCopy(child, segments.slice(i + 1), value));
      undo.push(() => setOwn(map, segment.key, old));
      return;
    }
    if (next.kind === 'index') {
      if (Array.isArray(child))
        throw new FieldPathError(`cannot patch ${text}: the list ${where} is both merged by key and replaced`);
      if (!Array.isArray(cur))
        throw new FieldPathError(`cannot patch ${text}: a list index needs the object's current list at ${where}`);
      create(map, segment.key, replacedCopy(cur, segments.slice(i + 1), value));
      return;
    }
    if (next.kind === 'select') {
      if (child !== undefined && !Array.isArray(child))
        throw new FieldPathError(`cannot patch ${text}: the patch already sets ${where} to something else than a list`);
      if (!Array.isArray(child)) create(map, segment.key, (child = []));
    } else if (!isPlainObject(child)) {
      if (child !== undefined)
        throw new FieldPathError(`cannot patch ${text}: the patch already sets ${where} to a value, not a map`);
      create(map, segment.key, (child = {}));
    }
    at = child as PlainObject | unknown[];
  }
}

/** The strategic merge patch that sets one field (see addToPatch). */
export function patchFor(path: string | FieldPath, value: unknown, current?: unknown): PlainObject {
  const patch: PlainObject = {};
  addToPatch(patch, path, value, current);
  return patch;
}
