import type { Authenticator } from './authenticator.js';
import type { Runtime } from '../core/runtime.js';
import { textOf, type ExpressionContext, type Template } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { ApiKeyAuthenticatorDefinition } from '../format/manifest-types.generated.js';

/** An API key in a header or a query parameter of every request; an empty key sends nothing. */
export class ApiKeyAuthenticator implements Authenticator {
  private readonly token: Template;
  private readonly option: ApiKeyAuthenticatorDefinition['inject_into'];
  private readonly runtime: Runtime;

  constructor(definition: ApiKeyAuthenticatorDefinition, path: Path, context: ComponentContext) {
    this.token = context.template(definition.api_token, [...path, 'api_token']);
    this.option = definition.inject_into;
    this.runtime = context.runtime;
  }

  async headers(context: ExpressionContext): Promise<Record<string, string>> {
    return this.option.inject_into === 'header' ? this.credential(context) : {};
  }

  async queryParameters(context: ExpressionContext): Promise<Record<string, string>> {
    return this.option.inject_into === 'request_parameter' ? this.credential(context) : {};
  }

  /** `{ field_name: key }`, the key registered as a secret first; nothing for an empty key. */
  private async credential(context: ExpressionContext): Promise<Record<string, string>> {
    const value = await this.token.evaluate(context);
    if (value === undefined || value === null || value === '') return {};
    const key = textOf(value);
    this.runtime.addSecret(key);
    // Header names are case-insensitive: lower case, as the requester's own headers are, so one replaces the other.
    return { [this.option.inject_into === 'header' ? this.option.field_name.toLowerCase() : this.option.field_name]: key };
  }
}

declare module '../format/component-context.js' {
  interface Components {
    ApiKeyAuthenticator: ApiKeyAuthenticator;
  }
}
