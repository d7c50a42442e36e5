// Suggested fixes as patches: spec edits become one strategic merge patch body, with containers
// (and other named list items) addressed by their merge key the way the API server merges them.
import type { Incident } from '../model/incident';
import type { ObjectRef } from '../model/resources';
import type { SpecEdit, SuggestedFix } from '../model/rootCause';

/** A fix whose edits belong to another object than the incident's workload (SuggestedFix.target set). */
export type TargetedFix = SuggestedFix & { target: ObjectRef };

/** The object a fix's edits apply to: its own target when it names one, else the incident's workload. */
export function fixTarget(fix: SuggestedFix, incident: Pick<Incident, 'workload'>): ObjectRef {
  return fix.target ?? incident.workload;
}

type Segment = { key: string } | { key: string; matchKey: string; matchValue: string };

const MAX_PATH = 2000;

/** Splits "spec.template.spec.containers[name=api].resources.limits['nvidia.com/gpu']"; undefined when malformed. */
export function parsePath(path: string): Segment[] | undefined {
  if (typeof path !== 'string' || path.length === 0 || path.length > MAX_PATH) return undefined;
  const out: Segment[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === '[' && path[i + 1] === "'") {
      const close = path.indexOf("']", i + 2);
      if (close < 0) return undefined;
      out.push({ key: path.slice(i + 2, close) });
      i = close + 2;
    } else {
      let j = i;
      while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
      const key = path.slice(i, j);
      if (key === '') return undefined;
      if (path[j] === '[' && path[j + 1] !== "'") {
        const close = path.indexOf(']', j);
        const eq = path.indexOf('=', j);
        if (close < 0 || eq < 0 || eq > close) return undefined;
        out.push({ key, matchKey: path.slice(j + 1, eq), matchValue: path.slice(eq + 1, close) });
        j = close + 1;
      } else {
        out.push({ key });
      }
      i = j;
    }
    if (path[i] === '.') i++;
    else if (i < path.length && path[i] !== '[') return undefined;
  }
  return out;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(o: Obj, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

/** Sets an own property even for keys like "__proto__", so cluster text never reaches a prototype. */
function setOwn(o: Obj, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function child(o: Obj, seg: Segment): Obj {
  if ('matchKey' in seg) {
    let list = own(o, seg.key);
    if (!Array.isArray(list)) setOwn(o, seg.key, (list = []));
    const items = list as unknown[];
    let item = items.find((x): x is Obj => isObj(x) && own(x, seg.matchKey) === seg.matchValue);
    if (!item) {
      item = {};
      setOwn(item, seg.matchKey, seg.matchValue);
      items.push(item);
    }
    return item;
  }
  let next = own(o, seg.key);
  if (!isObj(next)) setOwn(o, seg.key, (next = {}));
  return next as Obj;
}

/**
 * One strategic merge patch body for a list of edits. Edits whose path cannot be parsed, or that
 * end in a list selector, are skipped; a later edit of the same field wins.
 */
export function strategicMergePatch(edits: readonly SpecEdit[]): Obj {
  const root: Obj = {};
  for (const edit of edits) {
    const segments = parsePath(edit.path);
    const last = segments?.[segments.length - 1];
    if (!segments || !last || 'matchKey' in last) continue;
    let at = root;
    for (const seg of segments.slice(0, -1)) at = child(at, seg);
    setOwn(at, last.key, edit.value);
  }
  return root;
}

/** The patch for one fix, or undefined when it has no edits (a rollback or advice). */
export function fixPatch(fix: SuggestedFix): Obj | undefined {
  return fix.edits && fix.edits.length > 0 ? strategicMergePatch(fix.edits) : undefined;
}
