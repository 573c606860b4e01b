import type { ErrorObject } from 'ajv';

/** One problem of a document that failed its JSON Schema, said for people. */
export interface SchemaProblem {
  /** Keys from the document's root to the offending value (or the unknown or missing field). */
  path: string[];
  what: string;
}

/** The problems behind ajv's errors (run with allErrors and verbose): the most specific ones, each said plainly. */
export function schemaProblems(errors: ErrorObject[]): SchemaProblem[] {
  return mostSpecific(errors).map(describeError);
}

/** Drops errors about a parent when a more precise one exists inside it (oneOf noise). */
function mostSpecific(errors: ErrorObject[]): ErrorObject[] {
  // An anyOf of `required` alternatives is reported once, as the anyOf itself.
  const useful = errors.filter((error) => error.keyword !== 'oneOf' && error.keyword !== 'if' && !/\/anyOf\/\d+\/required$/.test(error.schemaPath));
  const elsewhere = (error: ErrorObject, keyword?: string) =>
    useful.some((other) => other !== error && other.instancePath === error.instancePath && (!keyword || other.keyword === keyword));
  const kept = useful.filter(
    (error) =>
      !(error.keyword === 'discriminator' && error.params.error === 'tag' && elsewhere(error)) &&
      // A misspelt field explains a missing one: report the typo only.
      !(error.keyword === 'anyOf' && elsewhere(error, 'additionalProperties')) &&
      // Any other anyOf (e.g. JSON Schema's `type`: a name or a list of names) is explained by its alternatives.
      !(error.keyword === 'anyOf' && !requiredAlternatives(error)) &&
      // "not one of these values" says more than "not a list" about the same value.
      !(error.keyword === 'type' && elsewhere(error, 'enum')),
  );
  return mergeTypeErrors(kept);
}

/** Alternatives that each want another type of the same value become one error listing every type accepted. */
function mergeTypeErrors(errors: ErrorObject[]): ErrorObject[] {
  const firstByPath = new Map<string, ErrorObject>();
  const merged: ErrorObject[] = [];
  for (const error of errors) {
    const first = error.keyword === 'type' ? firstByPath.get(error.instancePath) : undefined;
    if (!first) {
      if (error.keyword === 'type') firstByPath.set(error.instancePath, error);
      merged.push(error);
      continue;
    }
    const types = new Set([...String(first.params.type).split(','), ...String(error.params.type).split(',')]);
    const combined = { ...first, params: { ...first.params, type: [...types].join(',') } };
    merged[merged.indexOf(first)] = combined;
    firstByPath.set(error.instancePath, combined);
  }
  return merged;
}

function requiredAlternatives(error: ErrorObject): boolean {
  return ((error.schema ?? []) as { required?: unknown }[]).every((option) => Array.isArray(option.required));
}

/** What one error means, and where: the path of the offending value (or field) within the validated document. */
function describeError(error: ErrorObject): SchemaProblem {
  const segments = error.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let path = segments;
  let what: string;
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(error.params.additionalProperty);
      path = [...segments, name];
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
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
      const tag: unknown = error.params.tagValue;
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
      what = `expected ${alternatives(String(error.params.type).split(','))}, got ${describeType(error.data)}`;
      break;
    default:
      what = error.message ?? error.keyword;
  }
  return { path, what };
}

/** A path as YAML or JSON readers name it: `streams[0].retriever`. */
export function yamlPath(segments: string[]): string {
  if (segments.length === 0) return '(top level)';
  return segments.reduce((out, s) => (/^\d+$/.test(s) ? `${out}[${s}]` : out ? `${out}.${s}` : s), '');
}

/** `a`, `a or b`, `a, b or c`. */
function alternatives(names: string[]): string {
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}` : names[0];
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
