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
    if (schema === null || typeof schema !== 'object') return;
    const node = schema as Record<string, unknown>;
    if (node.airbyte_secret === true) this.add(config);
    for (const alternative of [...asArray(node.oneOf), ...asArray(node.anyOf)]) this.addFromSpec(alternative, config);
    if (config === null || typeof config !== 'object') return;
    if (Array.isArray(config)) {
      for (const item of config) this.addFromSpec(node.items, item);
      return;
    }
    const properties = (node.properties ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(config as Record<string, unknown>)) this.addFromSpec(properties[key], value);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(MASK);
    return out;
  }
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
