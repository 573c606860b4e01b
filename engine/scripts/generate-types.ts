// Writes engine/format/manifest-types.generated.ts from the manifest schema (`npm run generate`). With --check (run
// by `npm run build`) it writes nothing and fails when the committed file is not what the schema gives.
import { writeFileSync } from 'node:fs';
import { GENERATED_TYPES_FILE, MANIFEST_SCHEMA_FILE, generateManifestTypes, readSchema, staleTypesProblem } from './manifest-types.js';

if (process.argv.includes('--check')) {
  const problem = await staleTypesProblem();
  if (problem !== undefined) {
    process.stderr.write(`${problem}\n`);
    process.exitCode = 1;
  }
} else {
  writeFileSync(GENERATED_TYPES_FILE, await generateManifestTypes(readSchema(MANIFEST_SCHEMA_FILE)));
}
