import type { Authenticator } from './authenticator.js';
import type { ExpressionContext } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { SelectiveAuthenticatorDefinition } from '../format/manifest-types.generated.js';
import { configError } from '../core/errors.js';

/** Picks one of several authenticators by a config value, e.g. `credentials.auth_method`. */
export class SelectiveAuthenticator implements Authenticator {
  private readonly choices: Map<string, Authenticator>;
  private readonly selectionPath: string[];

  constructor(definition: SelectiveAuthenticatorDefinition, path: Path, context: ComponentContext) {
    this.selectionPath = definition.authenticator_selection_path;
    this.choices = new Map(
      Object.entries(definition.authenticators).map(([name, inner]) => [
        name,
        context.build(inner, [...path, 'authenticators', name]),
      ]),
    );
  }

  headers(context: ExpressionContext): Promise<Record<string, string>> {
    return this.select(context).headers(context);
  }

  async queryParameters(context: ExpressionContext): Promise<Record<string, string>> {
    return (await this.select(context).queryParameters?.(context)) ?? {};
  }

  async refreshAfterUnauthorized(context: ExpressionContext, usedHeaders: Record<string, string>): Promise<boolean> {
    return (await this.select(context).refreshAfterUnauthorized?.(context, usedHeaders)) ?? false;
  }

  private select(context: ExpressionContext): Authenticator {
    let value: unknown = context.config;
    for (const key of this.selectionPath) value = (value as Record<string, unknown> | undefined)?.[key];
    const chosen = typeof value === 'string' ? this.choices.get(value) : undefined;
    if (!chosen) {
      throw configError('CONFIG_INVALID',
        `The config value ${this.selectionPath.join('.')} is ${JSON.stringify(value)}; expected one of: ${[...this.choices.keys()].map((k) => JSON.stringify(k)).join(', ')}.`,
      );
    }
    return chosen;
  }
}

declare module '../format/component-context.js' {
  interface Components {
    SelectiveAuthenticator: SelectiveAuthenticator;
  }
}
