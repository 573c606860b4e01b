import { describe, it, expect } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateManifestTypes, MANIFEST_SCHEMA_FILE, staleTypesProblem } from '../../../../engine/scripts/manifest-types.js';

describe('the generated manifest types', () => {
  it('match the manifest schema', async () => {
    expect(await staleTypesProblem()).toBeUndefined();
  });

  it('are stale once the schema changes', async () => {
    const text = readFileSync(MANIFEST_SCHEMA_FILE, 'utf8');
    const timeoutAsText = text.replace('"timeout_seconds": { "type": "number"', '"timeout_seconds": { "type": "string"');
    expect(timeoutAsText).not.toBe(text);
    const changed = join(mkdtempSync(join(tmpdir(), 'manifest-types-')), 'manifest.schema.json');
    writeFileSync(changed, timeoutAsText);
    expect(await staleTypesProblem(changed)).toMatch(/^engine\/format\/manifest-types\.generated\.ts is stale: run npm run generate/);
  });

  it('type a field with a default as present, name declarations after their type, and list every component', async () => {
    const types = await generateManifestTypes({
      type: 'object',
      properties: { thing: { $ref: '#/definitions/Thing' }, size: { $ref: '#/definitions/Size', default: 1 } },
      definitions: {
        Size: { type: 'integer' },
        Thing: {
          type: 'object',
          required: ['type'],
          additionalProperties: false,
          properties: { type: { const: 'Thing' }, label: { type: 'string' }, count: { type: 'integer', default: 1 }, anything: {} },
        },
      },
    });
    expect(types).toContain('export type SizeDefinition = number;');
    expect(types).toContain('  thing?: ThingDefinition;\n  size: SizeDefinition;\n');
    expect(types).toContain("export interface ThingDefinition {\n  type: 'Thing';\n  label?: string;\n  count: number;\n  anything?: unknown;\n}");
    expect(types).toContain('export type ComponentDefinition =\n  | ThingDefinition;\n');
  });
});
