// The engine's folders are layers, and a layer imports only from the layers below it (README, "How the engine is
// built"). This test reads every import of every engine file, so the layering stays true as the engine grows.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { PROJECT_ROOT } from '../../../helpers/index.js';

/** Lowest first. */
const LAYERS = ['core', 'json-schema', 'expressions', 'format', 'http', 'streams', 'manifest', 'protocol', 'sync', 'commands', 'scripts'];
const ENGINE = join(PROJECT_ROOT, 'engine');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import of a file (static, type-only and dynamic), as the engine folder it lands in. */
function importedLayers(file: string): { specifier: string; layer: string }[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map(([, specifier]) => ({
    specifier,
    layer: relative(ENGINE, resolve(dirname(file), specifier)).split('/')[0],
  }));
}

describe('engine layering', () => {
  const files = sources(ENGINE);

  it('every file lives in a layer folder; the top of engine/ holds none', () => {
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) expect(LAYERS).toContain(relative(ENGINE, file).split('/')[0]);
  });

  it('a layer imports only from itself and the layers below it', () => {
    const upward: string[] = [];
    for (const file of files) {
      const own = LAYERS.indexOf(relative(ENGINE, file).split('/')[0]);
      for (const { specifier, layer } of importedLayers(file)) {
        if (LAYERS.indexOf(layer) > own) upward.push(`${relative(PROJECT_ROOT, file)} imports ${specifier}`);
      }
    }
    expect(upward).toEqual([]);
  });
});
