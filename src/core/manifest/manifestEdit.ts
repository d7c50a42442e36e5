// Edits one field of one object in a YAML file as a minimal text change: the scalar is replaced
// in place, the missing keys are inserted under the deepest mapping that exists, or an index just
// past a block list's end adds an item to it, so comments
// and the formatting of the rest of the file stay exactly as they were.
import { LineCounter, isMap, isScalar, isSeq, parseAllDocuments, stringify, type Node as YamlNode } from 'yaml';
import { tryParseFieldPath } from '../model/fieldPath';

export interface TextEdit {
  /** Zero-based positions. */
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  newText: string;
}

function scalarText(value: string | number | boolean): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

function position(lines: LineCounter, offset: number): { line: number; col: number } {
  const p = lines.linePos(offset);
  return { line: p.line - 1, col: p.col - 1 };
}

function name(node: unknown): string {
  return isScalar(node) ? String(node.value) : '';
}

export function editField(
  text: string,
  document: number,
  path: string,
  value: string | number | boolean,
): TextEdit | undefined {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines });
  if (!Array.isArray(docs)) return undefined;
  const doc = docs[document];
  if (!doc || doc.errors.length > 0 || !isMap(doc.contents)) return undefined;
  const steps = tryParseFieldPath(path);
  if (!steps) return undefined;
  let node: YamlNode = doc.contents as YamlNode;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if (step.kind === 'key') {
      if (!isMap(node)) return undefined;
      const pair = node.items.find((p) => name(p.key) === step.key);
      if (!pair) {
        const rest = steps.slice(i);
        return rest.every((s) => s.kind === 'key')
          ? insertKeys(
              text,
              lines,
              node,
              rest.map((s) => (s as { key: string }).key),
              value,
            )
          : undefined;
      }
      const child = pair.value as YamlNode | null;
      if (i === steps.length - 1) {
        if (isScalar(child) && child.range) {
          const start = position(lines, child.range[0]);
          const end = position(lines, child.range[1]);
          return {
            startLine: start.line,
            startColumn: start.col,
            endLine: end.line,
            endColumn: end.col,
            newText: scalarText(value),
          };
        }
        return undefined;
      }
      if (!child) return undefined;
      node = child;
    } else {
      if (!isSeq(node)) return undefined;
      const rest = steps.slice(i + 1);
      if (step.kind === 'index' && step.index === node.items.length && rest.length > 0)
        return rest.every((s) => s.kind === 'key')
          ? appendItem(
              text,
              lines,
              node,
              rest.map((s) => (s as { key: string }).key),
              value,
            )
          : undefined;
      const item = (
        step.kind === 'index'
          ? node.items[step.index]
          : node.items.find((it) => isMap(it) && name(it.get(step.key, true)) === step.value)
      ) as YamlNode | undefined;
      if (!item) return undefined;
      node = item;
    }
  }
  return undefined;
}

function insertKeys(
  text: string,
  lines: LineCounter,
  map: YamlNode,
  keys: string[],
  value: string | number | boolean,
): TextEdit | undefined {
  if (!isMap(map) || map.flow || map.items.length === 0) return undefined;
  const firstKey = map.items[0]!.key as YamlNode;
  if (!firstKey.range) return undefined;
  const indent = position(lines, firstKey.range[0]).col;
  const lastPair = map.items[map.items.length - 1]!;
  const lastNode = (lastPair.value ?? lastPair.key) as YamlNode;
  if (!lastNode.range) return undefined;
  const body = keys
    .map(
      (key, depth) =>
        `${' '.repeat(indent + 2 * depth)}${scalarText(key)}:${depth === keys.length - 1 ? ` ${scalarText(value)}` : ''}`,
    )
    .join('\n');
  return insertAfter(text, position(lines, Math.max(lastNode.range[0], lastNode.range[1] - 1)).line, body);
}

/** Inserts `body` as whole lines after `lastLine` (at the end of the file when nothing follows). */
function insertAfter(text: string, lastLine: number, body: string): TextEdit {
  const textLines = text.split('\n');
  const insertLine = Math.min(lastLine + 1, textLines.length);
  if (insertLine >= textLines.length || (insertLine === textLines.length - 1 && textLines[insertLine] === '')) {
    const end = textLines.length - 1;
    const needsBreak = textLines[end] !== '';
    return {
      startLine: end,
      startColumn: textLines[end]!.length,
      endLine: end,
      endColumn: textLines[end]!.length,
      newText: `${needsBreak ? '\n' : ''}${body}\n`,
    };
  }
  return { startLine: insertLine, startColumn: 0, endLine: insertLine, endColumn: 0, newText: `${body}\n` };
}

/**
 * A new last item of a block sequence, `- key: value` (nested keys indented under it), written at
 * the dash column of the existing items. Flow sequences (`[...]`) and empty ones are not edited.
 */
function appendItem(
  text: string,
  lines: LineCounter,
  seq: YamlNode,
  keys: string[],
  value: string | number | boolean,
): TextEdit | undefined {
  if (!isSeq(seq) || seq.flow || seq.items.length === 0) return undefined;
  const first = seq.items[0] as YamlNode;
  const last = seq.items[seq.items.length - 1] as YamlNode;
  if (!first.range || !last.range) return undefined;
  const textLines = text.split('\n');
  const start = position(lines, first.range[0]);
  const dash = textLines[start.line]!.lastIndexOf('-', start.col);
  if (dash < 0 || textLines[start.line]!.slice(0, dash).trim() !== '') return undefined;
  const body = keys
    .map(
      (key, depth) =>
        `${' '.repeat(dash + 2 * depth)}${depth === 0 ? '- ' : '  '}${scalarText(key)}:${depth === keys.length - 1 ? ` ${scalarText(value)}` : ''}`,
    )
    .join('\n');
  return insertAfter(text, position(lines, Math.max(last.range[0], last.range[1] - 1)).line, body);
}

/** Applies a TextEdit to a string (for tests and the CLI). */
export function applyEdit(text: string, edit: TextEdit): string {
  const lines = text.split('\n');
  const offset = (line: number, col: number) => lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0) + col;
  return (
    text.slice(0, offset(edit.startLine, edit.startColumn)) +
    edit.newText +
    text.slice(offset(edit.endLine, edit.endColumn))
  );
}
