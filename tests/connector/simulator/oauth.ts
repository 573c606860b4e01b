// OAuth 2.0 refresh-token endpoint and the registry of access tokens the simulated API accepts.
import { randomBytes } from 'node:crypto';

export interface OAuthOptions {
  clientId: string;
  clientSecret: string;
  refreshTokens: string[];
  /** Seconds, default 5183999. */
  expiresIn?: number;
  /** Return a NEW refresh token on each refresh; the old one stops working. */
  rotate?: boolean;
  /** Access tokens issued by refresh expire (401 65602) after this many API calls. */
  tokenCallLimit?: number;
}

export const REFRESH_TOKEN_EXPIRES_IN = 31535999;
export const OAUTH_SCOPE = 'r_organization_social,rw_organization_admin';

interface IssuedToken {
  expiresAt: number;
  calls: number;
}

export type TokenState = 'valid' | 'invalid' | 'expired';

export interface TokenResponse {
  status: number;
  body: Record<string, unknown>;
}

export class TokenRegistry {
  private readonly staticTokens: Set<string>;
  private readonly issued = new Map<string, IssuedToken>();
  private readonly refreshTokens: Set<string>;

  constructor(
    staticTokens: string[],
    private readonly oauth: OAuthOptions | undefined,
    private readonly now: () => number,
  ) {
    this.staticTokens = new Set(staticTokens);
    this.refreshTokens = new Set(oauth?.refreshTokens ?? []);
  }

  /** Tokens issued so far by the token endpoint (for tests). */
  issuedTokens(): string[] {
    return [...this.issued.keys()];
  }

  /** Checks a bearer token for one API call (counts the call against an issued token's limit). */
  use(token: string): TokenState {
    if (this.staticTokens.has(token)) return 'valid';
    const t = this.issued.get(token);
    if (!t) return 'invalid';
    if (this.now() >= t.expiresAt) return 'expired';
    t.calls += 1;
    const limit = this.oauth?.tokenCallLimit;
    if (limit !== undefined && t.calls > limit) return 'expired';
    return 'valid';
  }

  /** Handles POST /oauth/v2/accessToken. */
  handle(method: string, contentType: string | undefined, body: string): TokenResponse {
    const fail = (status: number, error: string, description: string): TokenResponse => ({
      status,
      body: { error, error_description: description },
    });
    if (method !== 'POST') return fail(400, 'invalid_request', `Unsupported HTTP method ${method}; use POST`);
    const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') {
      return fail(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(body);
    const grantType = form.get('grant_type');
    if (grantType === null || grantType === '') {
      return fail(400, 'invalid_request', 'A required parameter "grant_type" is missing');
    }
    if (grantType !== 'refresh_token') {
      return fail(400, 'invalid_request', `Unsupported grant_type "${grantType}"`);
    }
    for (const p of ['refresh_token', 'client_id', 'client_secret']) {
      if (!form.get(p)) return fail(400, 'invalid_request', `A required parameter "${p}" is missing`);
    }
    const oauth = this.oauth;
    if (!oauth || form.get('client_id') !== oauth.clientId || form.get('client_secret') !== oauth.clientSecret) {
      return fail(401, 'invalid_client', 'Client authentication failed');
    }
    const refreshToken = form.get('refresh_token')!;
    if (!this.refreshTokens.has(refreshToken)) {
      return fail(400, 'invalid_grant', 'The provided authorization grant or refresh token is invalid, expired or revoked');
    }
    const expiresIn = oauth.expiresIn ?? 5183999;
    const accessToken = `AQV${randomBytes(24).toString('base64url')}`;
    this.issued.set(accessToken, { expiresAt: this.now() + expiresIn * 1000, calls: 0 });
    let nextRefresh = refreshToken;
    if (oauth.rotate) {
      nextRefresh = `AQX${randomBytes(24).toString('base64url')}`;
      this.refreshTokens.delete(refreshToken);
      this.refreshTokens.add(nextRefresh);
    }
    return {
      status: 200,
      body: {
        access_token: accessToken,
        expires_in: expiresIn,
        refresh_token: nextRefresh,
        refresh_token_expires_in: REFRESH_TOKEN_EXPIRES_IN,
        scope: OAUTH_SCOPE,
      },
    };
  }
}
