import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { configError } from '../core/errors.js';
import { loadManifestText, type LoadedManifest } from './load.js';
import { resolveReferences } from './resolve.js';
import type { ManifestDefinition } from '../format/manifest-types.generated.js';
import { validateManifest } from './validate.js';

/** A manifest through stages 1 to 3, ready to compile. */
export interface ValidatedManifest {
  definition: ManifestDefinition;
  loaded: LoadedManifest;
  /** Folder the manifest's relative paths (schema files) are read from. */
  baseDir: string;
}

/** Stages 1 to 3 on manifest text: load with positions, resolve $ref, validate against the format's schema. */
export function validateManifestText(text: string, fileName: string, baseDir: string): ValidatedManifest {
  const loaded = resolveReferences(loadManifestText(text, fileName));
  return { definition: validateManifest(loaded), loaded, baseDir };
}

/** Stages 1 to 3 on a manifest file. */
export function readManifestFile(manifestPath: string): ValidatedManifest {
  const fullPath = resolve(manifestPath);
  let text: string;
  try {
    text = readFileSync(fullPath, 'utf8');
  } catch (error) {
    throw configError('MANIFEST_INVALID', `Cannot read the manifest ${fullPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return validateManifestText(text, basename(fullPath), dirname(fullPath));
}
