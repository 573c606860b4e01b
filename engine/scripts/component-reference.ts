// The component reference, docs/components.md, generated from the manifest schema: every component `type:` with its
// description and a table of its fields (type, default, description), then the shared definitions (RequestOption,
// the unions, ...) and the top level of a manifest. Written by `npm run generate`; `npm run build` fails when the
// committed file is not what the schema gives.
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JSONSchema } from 'json-schema-to-typescript';

const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const COMPONENT_REFERENCE_FILE = fileURLToPath(new URL('../../../docs/components.md', import.meta.url));

const ALTERNATIVES = ['oneOf', 'anyOf', 'allOf'] as const;

/** A component as the schema declares it: its `type:` name and the schema of its declaration. */
export interface ComponentSchema {
  type: string;
  schema: JSONSchema;
}

/** The `type:` a declaration carries (`const` or a one-value `enum`), or undefined. */
export function componentTypeOf(schema: JSONSchema): string | undefined {
  const type = schema.properties?.type;
  if (typeof type?.const === 'string') return type.const;
  if (Array.isArray(type?.enum) && type.enum.length === 1 && typeof type.enum[0] === 'string') return type.enum[0];
  return undefined;
}

/** Every component the schema declares (inline or as a definition), in the order they first appear. */
export function componentSchemas(root: JSONSchema): ComponentSchema[] {
  const found = new Map<string, JSONSchema>();
  const visit = (schema: JSONSchema): void => {
    const type = componentTypeOf(schema);
    if (type !== undefined && !found.has(type)) found.set(type, schema);
    const children = [
      ...Object.values(schema.definitions ?? {}),
      ...Object.values(schema.properties ?? {}),
      ...(schema.items === undefined ? [] : [schema.items].flat()),
      ...(typeof schema.additionalProperties === 'object' ? [schema.additionalProperties] : []),
      ...ALTERNATIVES.flatMap((keyword) => schema[keyword] ?? []),
    ];
    for (const child of children) visit(child);
  };
  visit(root);
  return [...found].map(([type, schema]) => ({ type, schema }));
}

const anchor = (name: string) => `#${name.toLowerCase().replace(/[^a-z0-9_-]/g, '')}`;
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const code = (value: unknown) => `\`${JSON.stringify(value).replace(/`/g, "'")}\``;

class Reference {
  private readonly components: ComponentSchema[];
  private readonly definitionComponents = new Map<string, string>();

  constructor(private readonly root: JSONSchema) {
    this.components = componentSchemas(root);
    for (const [name, definition] of Object.entries(root.definitions ?? {})) {
      const type = componentTypeOf(definition);
      if (type !== undefined) this.definitionComponents.set(name, type);
    }
  }

  /** A readable type: components and definitions as links, alternatives joined by |. */
  typeText(schema: JSONSchema): string {
    if (schema.$ref?.startsWith('#/definitions/')) {
      const name = schema.$ref.slice('#/definitions/'.length);
      const component = this.definitionComponents.get(name);
      return component === undefined ? `[${name}](${anchor(name)})` : `[${component}](${anchor(component)})`;
    }
    if (schema.$ref !== undefined) return 'JSON Schema';
    const component = componentTypeOf(schema);
    if (component !== undefined) return `[${component}](${anchor(component)})`;
    if (schema.const !== undefined) return code(schema.const);
    if (Array.isArray(schema.enum)) return schema.enum.map(code).join(' | ');
    for (const keyword of ALTERNATIVES) {
      const alternatives = schema[keyword]?.filter((alternative) => Object.keys(alternative).some((key) => key !== 'required'));
      if (alternatives?.length) return [...new Set(alternatives.map((alternative) => this.typeText(alternative)))].join(' | ');
    }
    const types = schema.type === undefined ? [] : [schema.type].flat();
    const described = types.map((type) => {
      if (type === 'array') return schema.items === undefined || Array.isArray(schema.items) ? 'list' : `list of ${this.typeText(schema.items)}`;
      if (type === 'object' && typeof schema.additionalProperties === 'object') return `map of ${this.typeText(schema.additionalProperties)}`;
      return type;
    });
    if (described.length > 0) return described.join(' or ');
    if (schema.properties !== undefined) return 'object';
    return 'any';
  }

  /** Rows of a fields table; nested objects (also inside lists) add rows named `parent.child` or `list[].child`. */
  fieldRows(schema: JSONSchema, prefix = ''): string[] {
    const required = new Set(Array.isArray(schema.required) ? schema.required : []);
    return Object.entries(schema.properties ?? {}).flatMap(([name, property]) => {
      if (prefix === '' && name === 'type') return [];
      const field = `${prefix}${name}`;
      const flags = required.has(name) && property.default === undefined ? ' (required)' : '';
      const row = `| \`${field}\`${flags} | ${cell(this.typeText(property))} | ${property.default === undefined ? '' : cell(code(property.default))} | ${cell(property.description ?? '')} |`;
      const nested = property.properties !== undefined && componentTypeOf(property) === undefined ? property : undefined;
      const item = !Array.isArray(property.items) && property.items?.properties !== undefined && componentTypeOf(property.items) === undefined ? property.items : undefined;
      return [row, ...(nested ? this.fieldRows(nested, `${field}.`) : []), ...(item ? this.fieldRows(item, `${field}[].`) : [])];
    });
  }

  table(schema: JSONSchema): string[] {
    const rows = this.fieldRows(schema);
    if (rows.length === 0) return ['No fields besides `type`.'];
    return ['| Field | Type | Default | Description |', '| --- | --- | --- | --- |', ...rows];
  }

  render(): string {
    const definitions = Object.entries(this.root.definitions ?? {}).filter(([, definition]) => componentTypeOf(definition) === undefined);
    const lines = [
      '# Manifest components',
      '',
      '<!-- Generated by engine/scripts/component-reference.ts from engine/format/manifest.schema.json: do not edit.',
      '     Change the schema and run `npm run generate` (the build fails while this file is stale). -->',
      '',
      'Every component a manifest can declare with `type:`, its fields, their types and defaults, as',
      '`engine/format/manifest.schema.json` (the one source of the format) declares them. A field marked (required) must be',
      'given; a field with a default may be left out. Strings are templates where the description says so (`{{ ... }}`,',
      'JSONata over config, stream_partition, stream_slice, record, response, headers, ...).',
      '',
      '## Components',
      '',
      this.components.map(({ type }) => `[${type}](${anchor(type)})`).join(' · '),
      '',
    ];
    for (const { type, schema } of this.components) {
      lines.push(`### ${type}`, '', ...(schema.description ? [schema.description, ''] : []), ...this.table(schema), '');
    }
    lines.push('## Shared definitions', '');
    for (const [name, definition] of definitions) {
      lines.push(`### ${name}`, '', ...(definition.description ? [definition.description, ''] : []));
      const fields = this.fieldRows(definition);
      const alternatives = ALTERNATIVES.flatMap((keyword) => definition[keyword] ?? []).filter((alternative) => alternative.properties !== undefined && componentTypeOf(alternative) === undefined);
      if (fields.length > 0) lines.push(...this.table(definition), '');
      else if (alternatives.length > 0) {
        alternatives.forEach((alternative, index) => lines.push(`Form ${index + 1}:`, '', ...this.table(alternative), ''));
      } else lines.push(`One of: ${this.typeText(definition)}.`, '');
    }
    lines.push('## The manifest', '', ...(this.root.description ? [this.root.description, ''] : []), ...this.table({ ...this.root, properties: { ...this.root.properties } }), '');
    return lines.join('\n');
  }
}

/** The content of docs/components.md for this manifest schema. */
export function componentReference(schema: JSONSchema): string {
  return new Reference(schema).render();
}

/** Why docs/components.md does not match the schema (stale or missing), or undefined when it does. */
export function staleReferenceProblem(schema: JSONSchema, file = COMPONENT_REFERENCE_FILE): string | undefined {
  const name = relative(PROJECT_ROOT, file);
  if (!existsSync(file)) return `${name} is missing: run npm run generate`;
  const expected = componentReference(schema).split('\n');
  const committed = readFileSync(file, 'utf8').split('\n');
  const line = expected.findIndex((text, index) => text !== committed[index]);
  if (line === -1 && committed.length === expected.length) return undefined;
  const at = line === -1 ? Math.min(committed.length, expected.length) : line;
  return `${name} is stale: run npm run generate. It differs from what the manifest schema gives from line ${at + 1}.`;
}
