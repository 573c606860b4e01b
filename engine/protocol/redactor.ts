const MASK = '****';

/** Replaces every known secret (and its URL-encoded form) with `****` in text that leaves the process. */
export class Redactor {
  private secrets: string[] = [];

  add(value: unknown): void {
    if (typeof value !== 'string' || value.length < 3) return;
    const forms = new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]);
    for (const form of forms) if (!this.secrets.includes(form)) this.secrets.push(form);
    // Longest first, so a secret that contains another is masked whole.
    this.secrets.sort((a, b) => b.length - a.length);
  }

  /** Adds the value of every config field the spec marks `airbyte_secret`, through oneOf alternatives and lists. */
  addFromSpec(schema: unknown, config: unknown): void {
    mapSecrets(schema, config, (secret) => {
      this.add(secret);
      return secret;
    });
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(MASK);
    return out;
  }
}

/**
 * The config with every value the spec marks `airbyte_secret` (through oneOf alternatives and lists) replaced by
 * `replace` of it; the other values are kept as they are.
 */
export function mapSecrets(schema: unknown, config: unknown, replace: (secret: unknown) => unknown): unknown {
  if (schema === null || typeof schema !== 'object') return config;
  const node = schema as Record<string, unknown>;
  let value = node.airbyte_secret === true ? replace(config) : config;
  for (const alternative of [...asArray(node.oneOf), ...asArray(node.anyOf)]) value = mapSecrets(alternative, value, replace);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => mapSecrets(node.items, item, replace));
  const properties = (node.properties ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, mapSecrets(properties[key], item, replace)]));
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
