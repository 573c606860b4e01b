import type { Authenticator } from './authenticator.js';

/** For APIs that need no credentials. */
export class NoAuth implements Authenticator {
  async headers(): Promise<Record<string, string>> {
    return {};
  }
}

declare module '../format/component-context.js' {
  interface Components {
    NoAuth: NoAuth;
  }
}
