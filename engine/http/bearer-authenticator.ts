import type { Authenticator } from './authenticator.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { BearerAuthenticatorDefinition } from '../format/manifest-types.generated.js';
import type { Runtime } from '../core/runtime.js';
import { textOf, type Template } from '../expressions/template.js';

/** `Authorization: Bearer <api_token>`, the token taken from the config. */
export class BearerAuthenticator implements Authenticator {
  private readonly token: Template;
  private readonly runtime: Runtime;

  constructor(definition: BearerAuthenticatorDefinition, path: Path, context: ComponentContext) {
    this.token = context.template(definition.api_token, [...path, 'api_token']);
    this.runtime = context.runtime;
  }

  async headers(context: Parameters<Authenticator['headers']>[0]): Promise<Record<string, string>> {
    const token = await this.token.evaluate(context);
    if (token === undefined || token === '') return {};
    this.runtime.addSecret(textOf(token));
    return { authorization: `Bearer ${textOf(token)}` };
  }
}

declare module '../format/component-context.js' {
  interface Components {
    BearerAuthenticator: BearerAuthenticator;
  }
}
