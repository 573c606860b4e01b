import type { Authenticator } from './authenticator.js';
import type { ResponseJudge } from './error-handler.js';
import { sendWithRetries, type SendOptions } from './send-with-retries.js';
import { ConnectorError, configError } from '../core/errors.js';
import { textOf, type ExpressionContext, type Template } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { OAuthAuthenticatorDefinition } from '../format/manifest-types.generated.js';
import type { Runtime } from '../core/runtime.js';
import type { CompiledValue } from '../expressions/compiled-value.js';

interface AccessToken {
  value: string;
  /** Epoch ms after which the token is renewed (its expiry less the margin). */
  renewAt: number;
}

/** Form fields the grant itself sends; refresh_request_body cannot replace them. */
const GRANT_FIELDS = ['grant_type', 'client_id', 'client_secret', 'refresh_token', 'scope'];

/**
 * OAuth 2.0, with the refresh-token grant (the default) or the client-credentials grant. The access token is kept
 * for the run and renewed before it expires; concurrent requests share one refresh. A refresh token that comes
 * back different replaces the old one in the config, which is handed back to the platform.
 */
export class OAuthAuthenticator implements Authenticator {
  private readonly endpoint: Template;
  private readonly clientId: Template;
  private readonly clientSecret: Template;
  /** Undefined with the client-credentials grant. */
  private readonly refreshToken?: Template;
  private readonly extraFields: CompiledValue;
  private readonly errorHandler: ResponseJudge;
  private readonly runtime: Runtime;
  private token?: AccessToken;
  private pending?: Promise<AccessToken>;
  private rotatedRefreshToken?: string;

  constructor(
    private readonly definition: OAuthAuthenticatorDefinition,
    path: Path,
    context: ComponentContext,
  ) {
    this.endpoint = context.template(definition.token_refresh_endpoint, [...path, 'token_refresh_endpoint']);
    this.clientId = context.template(definition.client_id, [...path, 'client_id']);
    this.clientSecret = context.template(definition.client_secret, [...path, 'client_secret']);
    if (definition.grant_type === 'refresh_token') {
      if (definition.refresh_token === undefined) {
        throw configError('MANIFEST_INVALID', `${context.describe(path)} needs refresh_token: its grant_type is refresh_token (use grant_type: client_credentials to obtain tokens with the client ID and secret alone).`, {
          location: context.location(path),
        });
      }
      this.refreshToken = context.template(definition.refresh_token, [...path, 'refresh_token']);
    }
    const replaced = Object.keys(definition.refresh_request_body).find((name) => GRANT_FIELDS.includes(name));
    if (replaced !== undefined) {
      throw configError('MANIFEST_INVALID', `${context.describe([...path, 'refresh_request_body', replaced])} would replace the "${replaced}" field the authenticator sends itself: declare it with grant_type, client_id, client_secret, refresh_token or scopes instead.`, {
        location: context.location([...path, 'refresh_request_body', replaced]),
      });
    }
    this.extraFields = context.value(definition.refresh_request_body, [...path, 'refresh_request_body']);
    this.errorHandler = context.build(definition.error_handler, [...path, 'error_handler']);
    this.runtime = context.runtime;
  }

  async headers(context: ExpressionContext): Promise<Record<string, string>> {
    const token = await this.accessToken(context);
    return { authorization: `Bearer ${token.value}` };
  }

  async refreshAfterUnauthorized(context: ExpressionContext, usedHeaders: Record<string, string>): Promise<boolean> {
    if (this.pending) await this.pending;
    // Renew only the token that was refused: a concurrent request may already have replaced it.
    if (this.token && usedHeaders.authorization === `Bearer ${this.token.value}`) this.token = undefined;
    await this.accessToken(context);
    return true;
  }

  private accessToken(context: ExpressionContext): Promise<AccessToken> {
    if (this.token && this.runtime.clock.now() < this.token.renewAt) return Promise.resolve(this.token);
    this.pending ??= this.refresh(context).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async refresh(context: ExpressionContext): Promise<AccessToken> {
    const refreshToken = this.refreshToken && (this.rotatedRefreshToken ?? textOf((await this.refreshToken.evaluate(context)) ?? ''));
    const form = await this.tokenForm(context, refreshToken);
    const url = String(await this.endpoint.evaluate(context));
    const result = await sendWithRetries(this.tokenRequest(url, form, context)).catch((error: unknown) => {
      // A token endpoint that refuses for good refuses the credentials, for every stream alike.
      throw error instanceof ConnectorError && error.code === 'HTTP_FAILED' ? new ConnectorError(error.message, { ...error.options(), code: 'AUTH_FAILED', cause: error }) : error;
    });
    const body = (result?.body ?? {}) as Record<string, unknown>;
    const value = body[this.definition.access_token_name];
    if (typeof value !== 'string' || value === '') {
      throw configError(
        'AUTH_FAILED',
        `The OAuth token endpoint answered without "${this.definition.access_token_name}". Check token_refresh_endpoint and the credentials.`,
      );
    }
    this.runtime.addSecret(value);
    const newRefreshToken = body[this.definition.refresh_token_name];
    if (refreshToken !== undefined && typeof newRefreshToken === 'string' && newRefreshToken !== '' && newRefreshToken !== refreshToken) {
      this.runtime.addSecret(newRefreshToken);
      this.rotatedRefreshToken = newRefreshToken;
      this.runtime.onConfigUpdate((config) => withValueAt(config, this.definition.refresh_token_config_path, newRefreshToken));
    }
    const expiresIn = Number(body[this.definition.expires_in_name] ?? 3600);
    const lifetimeMs = (Number.isFinite(expiresIn) ? expiresIn : 3600) * 1000;
    const margin = Math.min(this.definition.refresh_margin_seconds * 1000, lifetimeMs / 2);
    this.token = { value, renewAt: this.runtime.clock.now() + lifetimeMs - margin };
    return this.token;
  }

  /**
   * The token request's form: the grant's fields (a refresh token only with that grant), `scope` when scopes are
   * declared, then the fields of refresh_request_body. The secrets in it are registered before it is sent.
   */
  private async tokenForm(context: ExpressionContext, refreshToken: string | undefined): Promise<URLSearchParams> {
    const clientSecret = textOf((await this.clientSecret.evaluate(context)) ?? '');
    this.runtime.addSecret(clientSecret);
    const form = new URLSearchParams({ grant_type: this.definition.grant_type });
    if (refreshToken !== undefined) {
      this.runtime.addSecret(refreshToken);
      form.set('refresh_token', refreshToken);
    }
    form.set('client_id', textOf((await this.clientId.evaluate(context)) ?? ''));
    form.set('client_secret', clientSecret);
    if (this.definition.scopes.length > 0) form.set('scope', this.definition.scopes.join(' '));
    for (const [name, value] of Object.entries((await this.extraFields.evaluate(context)) as Record<string, unknown>)) {
      if (value !== undefined && value !== null) form.set(name, textOf(value));
    }
    return form;
  }

  /** The token request, sent with the authenticator's own error handler. */
  private tokenRequest(url: string, form: URLSearchParams, context: ExpressionContext): SendOptions {
    return {
      build: async () => ({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        timeoutMs: 60_000,
        signal: this.runtime.signal,
      }),
      handler: this.errorHandler,
      context,
      runtime: this.runtime,
      describe: `POST ${new URL(url).pathname} (OAuth token ${this.definition.grant_type === 'refresh_token' ? 'refresh' : 'request'})`,
    };
  }
}

function withValueAt(config: Record<string, unknown>, path: string[], value: string): Record<string, unknown> {
  if (path.length === 0) return config;
  const [head, ...rest] = path;
  const inner = (config[head] ?? {}) as Record<string, unknown>;
  return { ...config, [head]: rest.length === 0 ? value : withValueAt(inner, rest, value) };
}

declare module '../format/component-context.js' {
  interface Components {
    OAuthAuthenticator: OAuthAuthenticator;
  }
}
