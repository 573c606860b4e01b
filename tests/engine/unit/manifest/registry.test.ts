import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { componentRegistry } from '../../../../engine/manifest/registry.js';
import { PROJECT_ROOT } from '../../../helpers/index.js';

/** The `const` or `enum` of every `type` property in the schema's definitions: the component types it declares. */
function declaredTypes(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) declaredTypes(item, found);
  } else if (node !== null && typeof node === 'object') {
    const { properties } = node as { properties?: { type?: { const?: unknown; enum?: unknown[] } } };
    const type = properties?.type;
    for (const name of [type?.const, ...(type?.enum ?? [])]) if (typeof name === 'string') found.add(name);
    for (const value of Object.values(node)) declaredTypes(value, found);
  }
  return found;
}

describe('the component registry', () => {
  const schema = JSON.parse(readFileSync(`${PROJECT_ROOT}engine/format/manifest.schema.json`, 'utf8')) as { definitions: unknown };

  it('has one factory for each component type the manifest schema declares, and no other', () => {
    const declared = [...declaredTypes(schema.definitions)].sort();
    expect(declared.length).toBeGreaterThan(20);
    expect(Object.keys(componentRegistry).sort()).toEqual(declared);
  });
});
