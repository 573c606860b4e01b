// Build step: compiles the manifest format's JSON Schema into standalone validation code once, so loading a
// manifest does not pay for compiling the schema on every start. Run by `npm run build`.
import { readFileSync, writeFileSync } from 'node:fs';
import standaloneCodeModule from 'ajv/dist/standalone/index.js';
import { createAjv } from '../json-schema.js';
import { MANIFEST_VALIDATOR_OPTIONS } from './validate.js';

type StandaloneCode = (ajv: ReturnType<typeof createAjv>, validate: unknown) => string;
const standaloneCode = ((standaloneCodeModule as unknown as { default?: unknown }).default ?? standaloneCodeModule) as StandaloneCode;

const schemaPath = new URL('../../../engine/manifest/manifest.schema.json', import.meta.url);
const outputPath = new URL('./manifest-validator.cjs', import.meta.url);

const ajv = createAjv({ ...MANIFEST_VALIDATOR_OPTIONS, code: { source: true } });
const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
writeFileSync(outputPath, standaloneCode(ajv, validate));
