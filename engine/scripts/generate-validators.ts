// Build step: compiles JSON Schemas into standalone validation code once, so starting a command does not pay for
// compiling them: the manifest format's schema, and JSON Schema draft-07's own meta-schema (which checks the record
// schemas a manifest names). Run by `npm run build`.
import { readFileSync, writeFileSync } from 'node:fs';
import standaloneCodeModule from 'ajv/dist/standalone/index.js';
import { createAjv, JSON_SCHEMA_DRAFT_07 } from '../json-schema/ajv.js';
import { MANIFEST_VALIDATOR_OPTIONS } from '../manifest/validate.js';

type StandaloneCode = (ajv: ReturnType<typeof createAjv>, validate: unknown) => string;
const standaloneCode = ((standaloneCodeModule as unknown as { default?: unknown }).default ?? standaloneCodeModule) as StandaloneCode;

const manifestSchema = JSON.parse(readFileSync(new URL('../../../engine/format/manifest.schema.json', import.meta.url), 'utf8')) as object;
const manifestAjv = createAjv({ ...MANIFEST_VALIDATOR_OPTIONS, validateSchema: true, code: { source: true } });
writeFileSync(new URL('../manifest/manifest-validator.cjs', import.meta.url), standaloneCode(manifestAjv, manifestAjv.compile(manifestSchema)));

const metaAjv = createAjv({ verbose: true, code: { source: true } });
writeFileSync(new URL('../json-schema/json-schema-validator.cjs', import.meta.url), standaloneCode(metaAjv, metaAjv.getSchema(JSON_SCHEMA_DRAFT_07)));
