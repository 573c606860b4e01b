import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { configError } from '../errors.js';
import { positionOf, type LoadedManifest } from './load.js';
import { describeLocation } from './source-location.js';
import type { ManifestDefinition } from './types.js';

/** How the manifest schema is applied: every error, declared defaults filled in, components told apart by `type`. */
export const MANIFEST_VALIDATOR_OPTIONS = { useDefaults: true, discriminator: true, verbose: true } as const;

let validator: ValidateFunction | undefined;

/** The validator generated from manifest.schema.json at build time (see generate-validator.ts). */
function manifestValidator(): ValidateFunction {
  validator ??= createRequire(import.meta.url)('./manifest-validator.cjs') as ValidateFunction;
  return validator;
}

/**
 * Stage 3: checks the resolved manifest against the format's JSON Schema and fills in its declared defaults.
 * Every problem is reported with its YAML path, line:column, and what was expected.
 */
export function validateManifest(manifest: LoadedManifest): ManifestDefinition {
  const validate = manifestValidator();
  if (validate(manifest.value)) return manifest.value as unknown as ManifestDefinition;
  // A mistake in a shared definition shows up under every stream that uses it: report each place once.
  const byPlace = new Map<string, string>();
  for (const error of mostSpecific(validate.errors ?? [])) {
    const problem = describeError(error, manifest);
    const place = problem.replace(/^.*?\((\S+:\d+:\d+)\)/, '$1');
    if (!byPlace.has(place)) byPlace.set(place, problem);
  }
  const unique = [...byPlace.values()];
  throw configError(`The manifest ${manifest.file} is invalid:\n  ${unique.join('\n  ')}`, { location: manifest.file });
}

/** Drops errors about a parent when a more precise one exists inside it (oneOf noise). */
function mostSpecific(errors: ErrorObject[]): ErrorObject[] {
  // An anyOf of `required` alternatives is reported once, as the anyOf itself.
  const useful = errors.filter((error) => error.keyword !== 'oneOf' && error.keyword !== 'if' && !/\/anyOf\/\d+\/required$/.test(error.schemaPath));
  const elsewhere = (error: ErrorObject, keyword?: string) =>
    useful.some((other) => other !== error && other.instancePath === error.instancePath && (!keyword || other.keyword === keyword));
  return useful.filter(
    (error) =>
      !(error.keyword === 'discriminator' && error.params.error === 'tag' && elsewhere(error)) &&
      // A misspelt field explains a missing one: report the typo only.
      !(error.keyword === 'anyOf' && elsewhere(error, 'additionalProperties')),
  );
}

function describeError(error: ErrorObject, manifest: LoadedManifest): string {
  const segments = error.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let path = segments;
  let what: string;
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(error.params.additionalProperty);
      path = [...segments, name];
      const allowed = Object.keys((error.parentSchema as { properties?: object })?.properties ?? {});
      what = `unknown field "${name}"; expected one of: ${allowed.join(', ')}`;
      break;
    }
    case 'required': {
      const missing = String(error.params.missingProperty);
      const options = componentTypes(error.parentSchema);
      what = `missing required field "${missing}"${missing === 'type' && options.length > 0 ? `; expected one of: ${options.join(', ')}` : ''}`;
      break;
    }
    case 'discriminator': {
      const tag = error.params.tagValue;
      const options = componentTypes(error.parentSchema);
      what =
        error.params.error === 'tag'
          ? `missing "type"; expected one of: ${options.join(', ')}`
          : `unknown component type "${String(tag)}"; expected one of: ${options.join(', ')}`;
      path = [...segments, 'type'];
      break;
    }
    case 'anyOf': {
      const alternatives = ((error.schema ?? []) as { required?: string[] }[]).map((option) => option.required?.join(' and ')).filter(Boolean);
      what = `needs at least one of: ${alternatives.join(', ')} (it says when to stop)`;
      break;
    }
    case 'enum':
      what = `${JSON.stringify(error.data)} is not allowed; expected one of: ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    case 'const':
      what = `expected ${JSON.stringify(error.params.allowedValue)}, got ${JSON.stringify(error.data)}`;
      break;
    case 'type':
      what = `expected ${String(error.params.type)}, got ${describeType(error.data)}`;
      break;
    default:
      what = error.message ?? error.keyword;
  }
  const position = positionOf(manifest.value, path, manifest.positions);
  const location = describeLocation({
    path: yamlPath(path),
    file: manifest.file,
    line: position?.line,
    column: position?.column,
  });
  return `${location}: ${what}`;
}

function yamlPath(segments: string[]): string {
  if (segments.length === 0) return '(top level)';
  return segments.reduce((out, s) => (/^\d+$/.test(s) ? `${out}[${s}]` : out ? `${out}.${s}` : s), '');
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** The `type:` names a discriminated union of components accepts. */
function componentTypes(schema: unknown): string[] {
  const options = (schema as { oneOf?: { $ref?: string; properties?: { type?: { const?: string } } }[] } | undefined)?.oneOf ?? [];
  return options.map((option) => option.properties?.type?.const ?? option.$ref?.split('/').pop()).filter((name): name is string => Boolean(name));
}
