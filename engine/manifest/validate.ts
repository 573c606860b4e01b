import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import { configError } from '../core/errors.js';
import { schemaProblems, yamlPath } from '../json-schema/schema-problems.js';
import { positionOf, type LoadedManifest } from './load.js';
import { describeLocation } from '../core/source-location.js';
import type { ManifestDefinition } from '../format/manifest-types.generated.js';

/** How the manifest schema is applied: every error, declared defaults filled in, components told apart by `type`. */
export const MANIFEST_VALIDATOR_OPTIONS = { useDefaults: true, discriminator: true, verbose: true } as const;

let validator: ValidateFunction<ManifestDefinition> | undefined;

/**
 * The validator generated from manifest.schema.json at build time (see ../scripts/generate-validators.ts). The types
 * are generated from the same schema (../scripts/generate-types.ts), so what it accepts is a ManifestDefinition.
 */
function manifestValidator(): ValidateFunction<ManifestDefinition> {
  return (validator ??= loadManifestValidator());
}

function loadManifestValidator(): ValidateFunction<ManifestDefinition> {
  return createRequire(import.meta.url)('./manifest-validator.cjs') as ValidateFunction<ManifestDefinition>;
}

/**
 * Stage 3: checks the resolved manifest against the format's JSON Schema and fills in its declared defaults.
 * Every problem is reported with its YAML path, line:column, and what was expected.
 */
export function validateManifest(manifest: LoadedManifest): ManifestDefinition {
  const validate = manifestValidator();
  if (validate(manifest.value)) return manifest.value;
  // A mistake in a shared definition shows up under every stream that uses it: report each place once.
  const byPlace = new Map<string, string>();
  for (const { path, what } of schemaProblems(validate.errors ?? [])) {
    const position = positionOf(manifest.value, path, manifest.positions);
    const location = describeLocation({ path: yamlPath(path), file: manifest.file, line: position?.line, column: position?.column });
    // Keyed by line:column and problem, not by path: a shared definition has one place and many paths.
    const place = position ? `${position.line}:${position.column}: ${what}` : `${location}: ${what}`;
    if (!byPlace.has(place)) byPlace.set(place, `${location}: ${what}`);
  }
  const unique = [...byPlace.values()];
  throw configError('MANIFEST_INVALID', `The manifest ${manifest.file} is invalid:\n  ${unique.join('\n  ')}`, { location: { path: '', file: manifest.file } });
}
