// Writes what is generated from the manifest schema (`npm run generate`): engine/format/manifest-types.generated.ts
// and the component reference docs/components.md. With --check (run by `npm run build`) it writes nothing and fails
// when a committed file is not what the schema gives.
import { writeFileSync } from 'node:fs';
import { GENERATED_TYPES_FILE, MANIFEST_SCHEMA_FILE, generateManifestTypes, readSchema, staleTypesProblem } from './manifest-types.js';
import { COMPONENT_REFERENCE_FILE, componentReference, staleReferenceProblem } from './component-reference.js';

const schema = readSchema(MANIFEST_SCHEMA_FILE);
if (process.argv.includes('--check')) {
  const problems = [await staleTypesProblem(), staleReferenceProblem(schema)].filter((problem) => problem !== undefined);
  if (problems.length > 0) {
    process.stderr.write(`${problems.join('\n')}\n`);
    process.exitCode = 1;
  }
} else {
  writeFileSync(GENERATED_TYPES_FILE, await generateManifestTypes(schema));
  writeFileSync(COMPONENT_REFERENCE_FILE, componentReference(schema));
}
