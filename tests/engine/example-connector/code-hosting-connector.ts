// The example connector of examples/code-hosting/ as its tests use it: where the manifest is, its streams, and
// configs for the simulator in tests/engine/example-api/. Not a test file itself.
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../helpers/index.js';
import { API_KEY, BASIC, OAUTH, OWNER } from '../example-api/code-hosting-api.js';

export const MANIFEST = join(PROJECT_ROOT, 'examples', 'code-hosting', 'manifest.yaml');
export const STREAMS = ['repositories', 'commits', 'issues', 'commit_checks', 'teams', 'collaborators', 'traffic', 'contributors', 'pull_requests', 'audit_log'];
export const INCREMENTAL = ['commits', 'issues', 'commit_checks'];

export const CREDENTIALS = {
  api_key: { auth_method: 'api_key', api_key: API_KEY },
  basic: { auth_method: 'basic', username: BASIC.username, password: BASIC.password },
  oauth: { auth_method: 'oauth', client_id: OAUTH.clientId, client_secret: OAUTH.clientSecret },
};

export function exampleConfig(url: string, credentials: object = CREDENTIALS.api_key) {
  return { api_url: url, owner: OWNER, start_date: '2026-11-01T00:00:00Z', credentials };
}

