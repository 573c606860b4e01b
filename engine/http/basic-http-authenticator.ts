import type { Authenticator } from './authenticator.js';
import type { Runtime } from '../core/runtime.js';
import { textOf, type ExpressionContext, type Template } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { BasicHttpAuthenticatorDefinition } from '../format/manifest-types.generated.js';

/** `Authorization: Basic base64(username:password)`, UTF-8 encoded; the password may be empty. */
export class BasicHttpAuthenticator implements Authenticator {
  private readonly username: Template;
  private readonly password: Template;
  private readonly runtime: Runtime;

  constructor(definition: BasicHttpAuthenticatorDefinition, path: Path, context: ComponentContext) {
    this.username = context.template(definition.username, [...path, 'username']);
    this.password = context.template(definition.password, [...path, 'password']);
    this.runtime = context.runtime;
  }

  async headers(context: ExpressionContext): Promise<Record<string, string>> {
    const username = textOf((await this.username.evaluate(context)) ?? '');
    const password = textOf((await this.password.evaluate(context)) ?? '');
    const encoded = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
    // The encoded pair reveals the password: it is masked like the password itself.
    this.runtime.addSecret(password);
    this.runtime.addSecret(encoded);
    return { authorization: `Basic ${encoded}` };
  }
}

declare module '../format/component-context.js' {
  interface Components {
    BasicHttpAuthenticator: BasicHttpAuthenticator;
  }
}
