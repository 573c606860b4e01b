import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { configError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { componentRegistry } from '../components.js';
import type { DeclarativeStream } from '../streams/declarative-stream.js';
import { CompileContext } from './compile-context.js';
import { loadManifestText } from './load.js';
import { resolveReferences } from './resolve.js';
import type { CheckStreamDefinition, SpecDefinition } from './types.js';
import { validateManifest } from './validate.js';

/** A manifest made runnable: the spec, the check, and compiled streams. */
export interface Connector {
  spec: SpecDefinition;
  check: CheckStreamDefinition;
  concurrencyLevel: number;
  streams: DeclarativeStream[];
}

/** Runs the whole load pipeline on a manifest file: load, resolve, validate, compile. */
export function loadConnector(manifestPath: string, runtime: Runtime): Connector {
  const fullPath = resolve(manifestPath);
  let text: string;
  try {
    text = readFileSync(fullPath, 'utf8');
  } catch (error) {
    throw configError(`Cannot read the manifest ${fullPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return compileManifest(text, basename(fullPath), dirname(fullPath), runtime);
}

/** Stage 4: every component is built through the registry and every expression compiled, before any request. */
export function compileManifest(text: string, fileName: string, baseDir: string, runtime: Runtime): Connector {
  const loaded = resolveReferences(loadManifestText(text, fileName));
  const manifest = validateManifest(loaded);
  const context = new CompileContext(loaded, runtime, baseDir, componentRegistry);
  const streams = manifest.streams.map((stream, index) => context.build<DeclarativeStream>(stream, ['streams', index]));
  const names = new Set<string>();
  manifest.streams.forEach((stream, index) => {
    if (names.has(stream.name)) throw configError(`Two streams are named "${stream.name}"; the second is at ${context.describe(['streams', index, 'name'])}.`);
    names.add(stream.name);
  });
  for (const [index, name] of manifest.check.stream_names.entries()) {
    if (!names.has(name)) {
      throw configError(`check names the stream "${name}" at ${context.describe(['check', 'stream_names', index])}, but no stream has that name.`);
    }
  }
  return { spec: manifest.spec, check: manifest.check, concurrencyLevel: manifest.concurrency_level, streams };
}
