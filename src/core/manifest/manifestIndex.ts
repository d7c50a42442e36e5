// Finds Kubernetes objects in YAML text (multi-document files, Helm or kustomize output) and the
// line of any field in them, so incidents can be shown on the manifest line that causes them.
import { LineCounter, isMap, isScalar, isSeq, parseAllDocuments, type Node as YamlNode } from 'yaml';
import { tryParseFieldPath } from '../model/fieldPath';

export interface ManifestObject {
  kind: string;
  name: string;
  /** Empty when the manifest leaves the namespace to the apply command. */
  namespace: string;
  apiVersion: string;
  /** Zero-based document index within the file. */
  document: number;
  /** Zero-based line of the `kind:` key, and of the document's first and last lines. */
  kindLine: number;
  startLine: number;
  endLine: number;
}

export interface FieldLocation {
  line: number;
  /** Zero-based columns of the value (or of the key when there is no scalar value). */
  startColumn: number;
  endColumn: number;
  /** How much of the requested path exists; the location is that of the deepest part found. */
  matchedDepth: number;
}

interface Parsed {
  docs: ReturnType<typeof parseAllDocuments>;
  lines: LineCounter;
}

function parse(text: string): Parsed | undefined {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, keepSourceTokens: false });
  if (!Array.isArray(docs)) return undefined;
  return { docs, lines };
}

function scalar(node: unknown): string {
  return isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number') ? String(node.value) : '';
}

function pos(lines: LineCounter, offset: number): { line: number; col: number } {
  const p = lines.linePos(offset);
  return { line: p.line - 1, col: p.col - 1 };
}

/** Objects with apiVersion, kind and metadata.name, in file order. Broken documents are skipped. */
export function indexManifests(text: string): ManifestObject[] {
  const parsed = parse(text);
  if (!parsed) return [];
  const out: ManifestObject[] = [];
  parsed.docs.forEach((doc, document) => {
    const root = doc.contents;
    if (!isMap(root) || doc.errors.length > 0) return;
    const kind = scalar(root.get('kind', true));
    const meta = root.get('metadata', true);
    const name = isMap(meta) ? scalar(meta.get('name', true)) : '';
    if (!kind || !name) return;
    const kindPair = root.items.find((p) => isScalar(p.key) && p.key.value === 'kind');
    const keyRange = kindPair && isScalar(kindPair.key) ? kindPair.key.range : undefined;
    const range = root.range ?? [0, 0, 0];
    out.push({
      kind,
      name,
      namespace: isMap(meta) ? scalar(meta.get('namespace', true)) : '',
      apiVersion: scalar(root.get('apiVersion', true)),
      document,
      kindLine: keyRange ? pos(parsed.lines, keyRange[0]).line : pos(parsed.lines, range[0]).line,
      startLine: pos(parsed.lines, range[0]).line,
      endLine: pos(parsed.lines, Math.max(range[0], range[1] - 1)).line,
    });
  });
  return out;
}

/** Whether a manifest object is the cluster object (an unset namespace matches any namespace). */
export function sameObject(
  m: Pick<ManifestObject, 'kind' | 'name' | 'namespace'>,
  ref: { kind: string; name: string; namespace: string },
): boolean {
  return m.kind === ref.kind && m.name === ref.name && (m.namespace === '' || m.namespace === ref.namespace);
}

/**
 * The line and columns of a field within one document of the file, as deep as it exists; undefined
 * when the document or the path is malformed (see model/fieldPath for the path grammar).
 */
export function locateField(text: string, document: number, path: string): FieldLocation | undefined {
  const steps = tryParseFieldPath(path);
  if (!steps) return undefined;
  const parsed = parse(text);
  const doc = parsed?.docs[document];
  if (!parsed || !doc || !isMap(doc.contents)) return undefined;
  let node: YamlNode | null = doc.contents as YamlNode;
  let best: FieldLocation | undefined;
  let depth = 0;
  const mark = (range: [number, number, number] | undefined | null) => {
    if (!range) return;
    const start = pos(parsed.lines, range[0]);
    const end = pos(parsed.lines, range[1]);
    best = {
      line: start.line,
      startColumn: start.col,
      endColumn: end.line === start.line ? end.col : start.col + 1,
      matchedDepth: depth,
    };
  };
  for (const step of steps) {
    if (step.kind === 'key') {
      if (!isMap(node)) break;
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === step.key);
      if (!pair) break;
      depth++;
      const value = pair.value as YamlNode | null;
      mark(isScalar(value) ? value.range : isScalar(pair.key) ? pair.key.range : undefined);
      node = value;
    } else {
      if (!isSeq(node)) break;
      const item: YamlNode | undefined = (
        step.kind === 'index'
          ? node.items[step.index]
          : node.items.find((i) => isMap(i) && scalar(i.get(step.key, true)) === step.value)
      ) as YamlNode | undefined;
      if (!item) break;
      depth++;
      if (isMap(item) && step.kind === 'select') {
        const keyPair = item.items.find((p) => isScalar(p.key) && p.key.value === step.key);
        mark(keyPair && isScalar(keyPair.value) ? keyPair.value.range : item.range);
      } else mark(item.range);
      node = item;
    }
  }
  return best;
}
