import { configError } from '../core/errors.js';
import { childPath, describeLocation, type SourceLocation } from '../core/source-location.js';
import type { LoadedManifest, PositionMap } from './load.js';

/**
 * Stage 2: expands `$ref: "#/definitions/..."` (any JSON pointer into the manifest). Keys written next to a `$ref`
 * override the referenced mapping's keys, deeply, so streams share one requester and change only their path.
 * Resolved nodes keep the positions of the YAML they came from, so later errors still point at a line.
 */
export function resolveReferences(manifest: LoadedManifest): LoadedManifest {
  const { value: root, positions, file } = manifest;

  const locate = (node: object, path: string): SourceLocation => {
    const self = positions.get(node)?.self;
    return { path, file, line: self?.line, column: self?.column };
  };
  const where = (node: object, path: string): string => describeLocation(locate(node, path));

  const lookup = (pointer: string, fromPath: string, node: object): unknown => {
    if (!pointer.startsWith('#/')) {
      throw configError('MANIFEST_INVALID',
        `Unsupported $ref "${pointer}" at ${where(node, fromPath)}: expected a pointer into this manifest such as "#/definitions/requester".`,
        { location: locate(node, fromPath) },
      );
    }
    let target: unknown = root;
    for (const raw of pointer.slice(2).split('/')) {
      const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      if (target === null || typeof target !== 'object' || !(key in target)) {
        throw configError('MANIFEST_INVALID',
          `Dangling $ref "${pointer}" at ${where(node, fromPath)}: nothing is defined at "${key}". Check the name under definitions.`,
          { location: locate(node, fromPath) },
        );
      }
      target = (target as Record<string, unknown>)[key];
    }
    return target;
  };

  // A $ref without overrides resolves to one shared object, so its component is built once and shared
  // (one authenticator, hence one token cache, for every stream).
  const shared = new Map<string, unknown>();

  const resolve = (node: unknown, path: string, chain: string[]): unknown => {
    if (Array.isArray(node)) {
      const out = node.map((item, index) => resolve(item, childPath(path, index), chain));
      copyPositions(positions, node, out);
      return out;
    }
    if (node === null || typeof node !== 'object') return node;
    const record = node as Record<string, unknown>;
    const ref = record.$ref;
    if (ref === undefined) {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(record)) out[key] = resolve(child, childPath(path, key), chain);
      copyPositions(positions, record, out);
      return out;
    }
    if (typeof ref !== 'string') {
      throw configError('MANIFEST_INVALID', `$ref at ${where(record, path)} must be a string such as "#/definitions/requester".`, {
        location: locate(record, path),
      });
    }
    if (chain.includes(ref)) {
      throw configError('MANIFEST_INVALID', `Circular $ref at ${where(record, path)}: ${[...chain, ref].join(' -> ')}.`, {
        location: locate(record, path),
      });
    }
    const { $ref: _ignored, ...overrides } = record;
    if (Object.keys(overrides).length === 0 && shared.has(ref)) return shared.get(ref);
    const target = resolve(lookup(ref, path, record), path, [...chain, ref]);
    if (Object.keys(overrides).length === 0) {
      shared.set(ref, target);
      return target;
    }
    const resolvedOverrides = resolve(overrides, path, chain);
    copyPositions(positions, record, resolvedOverrides as object);
    return mergeDeep(target, resolvedOverrides, positions);
  };

  const resolved = resolve(root, '', []) as Record<string, unknown>;
  return { value: resolved, positions, file };
}

function copyPositions(positions: PositionMap, from: object, to: object): void {
  const info = positions.get(from);
  if (info) positions.set(to, { self: info.self, entries: new Map(info.entries) });
}

/** Mappings merge key by key (override wins, recursively); anything else is replaced whole. */
function mergeDeep(base: unknown, override: unknown, positions: PositionMap): unknown {
  const isMapping = (value: unknown): value is Record<string, unknown> =>
    value !== null && typeof value === 'object' && !Array.isArray(value);
  if (!isMapping(base) || !isMapping(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = key in base ? mergeDeep(base[key], value, positions) : value;
  const baseInfo = positions.get(base);
  const overrideInfo = positions.get(override);
  positions.set(out, {
    self: overrideInfo?.self ?? baseInfo?.self ?? { line: 0, column: 0 },
    entries: new Map([...(baseInfo?.entries ?? []), ...(overrideInfo?.entries ?? [])]),
  });
  return out;
}
