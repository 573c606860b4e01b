import { LineCounter, parseDocument, isAlias, isMap, isSeq, isScalar, isPair, type Node } from 'yaml';
import { configError } from '../core/errors.js';

export interface Position {
  line: number;
  column: number;
}

/** Where each mapping and sequence of a loaded manifest came from: its own position and its entries'. */
export interface NodePositions {
  self: Position;
  entries: Map<string | number, Position>;
}

export type PositionMap = WeakMap<object, NodePositions>;

export interface LoadedManifest {
  value: Record<string, unknown>;
  positions: PositionMap;
  file: string;
}

/** Stage 1: YAML text to plain values, remembering the line and column of every node. */
export function loadManifestText(text: string, file: string): LoadedManifest {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    const first = lineCounter.linePos(document.errors[0].pos[0]);
    const problems = document.errors.map((error) => {
      const at = lineCounter.linePos(error.pos[0]);
      const where = `${file}:${at.line}:${at.col}`;
      return `${where}: ${error.message.split('\n')[0]}`;
    });
    throw configError('MANIFEST_INVALID', `The manifest is not valid YAML:\n  ${problems.join('\n  ')}`, { location: { path: '', file, line: first.line, column: first.col } });
  }
  const positions: PositionMap = new WeakMap();
  const position = (node: Node | null | undefined): Position => {
    const offset = node?.range?.[0] ?? 0;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  const convert = (node: unknown): unknown => {
    if (isMap(node)) {
      const value: Record<string, unknown> = {};
      const entries = new Map<string | number, Position>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        value[key] = convert(pair.value);
        entries.set(key, position(pair.key as Node));
      }
      positions.set(value, { self: position(node), entries });
      return value;
    }
    if (isSeq(node)) {
      const value = node.items.map((item) => convert(item));
      const entries = new Map<string | number, Position>();
      node.items.forEach((item, index) => entries.set(index, position(item as Node)));
      positions.set(value, { self: position(node), entries });
      return value;
    }
    if (isScalar(node)) return node.value;
    // `*name` repeats what `&name` marks: the same declaration, read again where the alias stands.
    if (isAlias(node)) return convert(node.resolve(document));
    return node ?? null;
  };

  const value = convert(document.contents);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw configError('MANIFEST_INVALID', `The manifest ${file} must be a YAML mapping with "streams" and "spec" at its top level.`, {
      location: { path: '', file },
    });
  }
  return { value: value as Record<string, unknown>, positions, file };
}

/** Finds the position of `path` (keys and indexes) inside a loaded value: the deepest node known. */
export function positionOf(root: unknown, path: (string | number)[], positions: PositionMap): Position | undefined {
  let node: unknown = root;
  let best = typeof root === 'object' && root ? positions.get(root)?.self : undefined;
  for (const key of path) {
    if (node === null || typeof node !== 'object') break;
    const info = positions.get(node);
    const entry = info?.entries.get(Array.isArray(node) ? Number(key) : String(key));
    if (entry) best = entry;
    node = (node as Record<string, unknown>)[key as string];
    const inner = node && typeof node === 'object' ? positions.get(node)?.self : undefined;
    if (inner && !entry) best = inner;
  }
  return best;
}
