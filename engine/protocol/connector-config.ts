import type { ErrorObject } from 'ajv';
import { configError } from '../core/errors.js';
import { createAjv } from '../json-schema/ajv.js';

/**
 * Checks a config against the connection spec and returns a copy with the spec's defaults filled in.
 * Messages name the field and the rule, never the value (it may be a secret).
 */
export function validateConfig(config: unknown, connectionSpecification: Record<string, unknown>): Record<string, unknown> {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw configError('CONFIG_INVALID', 'The config must be a JSON object.');
  }
  const validate = createAjv({ useDefaults: true, verbose: true }).compile(connectionSpecification);
  const copy = structuredClone(config) as Record<string, unknown>;
  if (validate(copy)) return copy;
  const problems: string[] = [];
  // Each oneOf alternative reports its own `const`: the allowed values of one field are gathered in one message.
  const allowedValues = new Map<string, unknown[]>();
  for (const error of relevantErrors(validate.errors ?? [])) {
    const field = error.instancePath.split('/').slice(1).join('.');
    const examples = (error.parentSchema as { examples?: unknown[] } | undefined)?.examples;
    if (error.keyword === 'const' || error.keyword === 'enum') {
      if (!allowedValues.has(field)) problems.push(`"${field}" must be one of`);
      allowedValues.set(field, [...(allowedValues.get(field) ?? []), ...((error.params.allowedValues ?? [error.params.allowedValue]) as unknown[])]);
    } else if (error.keyword === 'required') {
      problems.push(`missing required field "${[field, error.params.missingProperty].filter(Boolean).join('.')}"`);
    } else if (error.keyword === 'additionalProperties') {
      problems.push(`unknown field "${[field, error.params.additionalProperty].filter(Boolean).join('.')}"`);
    } else if ((error.keyword === 'pattern' || error.keyword === 'format') && examples?.length) {
      problems.push(`"${field}" is not in the expected format (for example ${examples.map((e) => JSON.stringify(e)).join(' or ')})`);
    } else {
      problems.push(`"${field}" ${error.message ?? 'is invalid'}`);
    }
  }
  for (const [field, allowed] of allowedValues) {
    const index = problems.indexOf(`"${field}" must be one of`);
    problems[index] += ` ${[...new Set(allowed.map((value) => JSON.stringify(value)))].join(', ')}`;
  }
  throw configError('CONFIG_INVALID', `The config is invalid: ${[...new Set(problems)].join('; ')}.`);
}

/**
 * Of the errors inside a oneOf, keeps only those of the alternatives the config chose: an alternative whose
 * `const` discriminator (e.g. auth_method) does not match is not what the user meant, so its errors are noise.
 */
function relevantErrors(errors: ErrorObject[]): ErrorObject[] {
  const branch = (error: ErrorObject) => /^(.*\/oneOf\/\d+)\//.exec(error.schemaPath)?.[1];
  const rejected = new Set(errors.filter((error) => error.keyword === 'const').map(branch).filter(Boolean));
  const chosen = errors.filter((error) => error.keyword !== 'oneOf' && error.keyword !== 'if' && !rejected.has(branch(error)));
  return chosen.length > 0 ? chosen : errors.filter((error) => error.keyword === 'const');
}
