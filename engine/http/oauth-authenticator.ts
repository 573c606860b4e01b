import type { Authenticator } from './authenticator.js';
import type { ResponseJudge } from './error-handler.js';
import { sendWithRetries, type SendOptions } from './send-with-retries.js';
import { ConnectorError, configError } from '../core/errors.js';
import { textOf, type ExpressionContext, type Template } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { OAuthAuthenticatorDefinition } from '../format/manifest-types.generated.js';
import type { Runtime } from '../core/runtime.js';

interface AccessToken {
  value: string;
  /** Epoch ms after which the token is renewed (its expiry less the margin). */
  renewAt: number;
}

/**
 * OAuth 2.0 refresh-token grant. The access token is kept for the run and renewed before it expires; concurrent
 * requests share one refresh. A refresh token that comes back different replaces the old one in the config,
 * which is handed back to the platform.
 */
export class OAuthAuthenticator implements Authenticator {
  private readonly endpoint: Template;
  private readonly clientId: Template;
  private readonly clientSecret: Template;
  private readonly refreshToken: Template;
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
    this.refreshToken = context.template(definition.refresh_token, [...path, 'refresh_token']);
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
    const refreshToken = this.rotatedRefreshToken ?? textOf((await this.refreshToken.evaluate(context)) ?? '');
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: textOf((await this.clientId.evaluate(context)) ?? ''),
      client_secret: textOf((await this.clientSecret.evaluate(context)) ?? ''),
    });
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
    if (typeof newRefreshToken === 'string' && newRefreshToken !== '' && newRefreshToken !== refreshToken) {
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
      describe: `POST ${new URL(url).pathname} (OAuth token refresh)`,
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
