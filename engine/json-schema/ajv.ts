import { createRequire } from 'node:module';
import AjvModule, { type Options, type ValidateFunction } from 'ajv';
import * as addFormatsModule from 'ajv-formats';
import { schemaProblems, yamlPath } from './schema-problems.js';

type AjvInstance = import('ajv').default;
const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as typeof AjvModule.default;
const addFormats = ((addFormatsModule as unknown as { default: { default?: unknown } }).default.default ??
  (addFormatsModule as unknown as { default: unknown }).default) as (ajv: AjvInstance) => AjvInstance;

export const JSON_SCHEMA_DRAFT_07 = 'http://json-schema.org/draft-07/schema';

/**
 * One way to make a draft-07 validator: formats known, and Airbyte's spec annotations accepted. Schemas are checked
 * against the meta-schema before they reach it (the manifest validator checks the connection spec, and
 * `jsonSchemaProblems` each stream's schema), so ajv skips that check, which costs more than the compilation itself.
 */
export function createAjv(options: Options = {}): AjvInstance {
  const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, ...options });
  addFormats(ajv);
  for (const keyword of ['airbyte_secret', 'airbyte_hidden', 'order']) ajv.addKeyword(keyword);
  return ajv;
}

let metaSchemaValidator: ValidateFunction | undefined;

/** What keeps `schema` from being a draft-07 JSON Schema (empty when nothing), by code generated at build time. */
export function jsonSchemaProblems(schema: unknown): string[] {
  metaSchemaValidator ??= createRequire(import.meta.url)('./json-schema-validator.cjs') as ValidateFunction;
  if (metaSchemaValidator(schema)) return [];
  return schemaProblems(metaSchemaValidator.errors ?? []).map(({ path, what }) => (path.length ? `${yamlPath(path)}: ${what}` : what));
}
