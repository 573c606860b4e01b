// The component reference (docs/components.md) is generated from the manifest schema and kept fresh; every
// component the schema declares has a description, appears in the reference, and is used by at least one manifest:
// the connector's, the examples', or one a test builds.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../helpers/index.js';
import { COMPONENT_REFERENCE_FILE, componentReference, componentSchemas, staleReferenceProblem } from '../../../../engine/scripts/component-reference.js';
import { MANIFEST_SCHEMA_FILE, readSchema } from '../../../../engine/scripts/manifest-types.js';

const schema = readSchema(MANIFEST_SCHEMA_FILE);
const components = componentSchemas(schema);

/** Every file under `dir` (relative to the project) whose name ends with one of `endings`. */
function filesUnder(dir: string, endings: string[]): string[] {
  return readdirSync(join(PROJECT_ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((name) => endings.some((ending) => name.endsWith(ending)))
    .map((name) => join(PROJECT_ROOT, dir, name));
}

describe('the component reference', () => {
  it('finds the components of the schema, inline ones too', () => {
    const types = components.map((component) => component.type);
    expect(types).toEqual(expect.arrayContaining(['DeclarativeStream', 'ApiKeyAuthenticator', 'ExponentialBackoff', 'NoPagination', 'AddFields', 'FlattenFields']));
    expect(new Set(types).size).toBe(types.length);
  });

  it('every component has a description', () => {
    expect(components.filter((component) => !component.schema.description).map((component) => component.type)).toEqual([]);
  });

  it('docs/components.md is what the schema gives, with a section per component', () => {
    expect(staleReferenceProblem(schema)).toBeUndefined();
    const reference = readFileSync(COMPONENT_REFERENCE_FILE, 'utf8');
    for (const { type, schema: declaration } of components) {
      expect(reference).toContain(`\n### ${type}\n\n${declaration.description}\n`);
    }
    expect(reference).toContain('| `cursor_granularity` | [Template](#template) |  | Record cursor:');
    expect(reference).toContain('| `max_attempts` | integer | `5` | Attempts of one request, the first included. |');
  });

  it('a schema change makes docs/components.md stale', () => {
    const changed = structuredClone(schema);
    changed.definitions!.NoAuth.description = 'Another text.';
    expect(componentReference(changed)).not.toBe(componentReference(schema));
    expect(staleReferenceProblem(changed)).toMatch(/^docs\/components\.md is stale: run npm run generate\. It differs .* from line \d+\.$/);
  });

  it('every component is used by a manifest: the connector, an example or a test', () => {
    const sources = [join(PROJECT_ROOT, 'manifest.yaml'), ...filesUnder('examples', ['.yaml']), ...filesUnder('tests', ['.ts', '.yaml'])];
    const text = sources.map((file) => readFileSync(file, 'utf8')).join('\n');
    const unused = components.map((component) => component.type).filter((type) => !new RegExp(`\\btype:\\s*['"]?${type}['"]?(\\s|,|\\}|$)`, 'm').test(text));
    expect(unused).toEqual([]);
  });
});
