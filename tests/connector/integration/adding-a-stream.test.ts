import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  FakeClock,
  PROJECT_ROOT,
  TEST_NOW,
  editYaml,
  records,
  renameYamlKey,
  runInProcess,
  toYaml,
  traces,
  writeFiles,
  type Manifest,
} from '../../helpers/index.js';
import { accessTokenConfig, manifestText, streamNamed } from '../linkedin.js';
import { expectedPosts, startSimulator, type Simulator } from '../simulator/linkedin-simulator.js';

const ORGS = [2414183, 1035];
const guide = readFileSync(join(PROJECT_ROOT, 'docs', 'adding-a-stream.md'), 'utf8');
const blocks = (language: string) => [...guide.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
const postsYaml = blocks('yaml').find((block) => block.includes('# posts stream'))!;
const postsCatalog = JSON.parse(blocks('json')[0]);
/** Where the guide's stream lands in the streams list: after the connector's own. */
const postsIndex = () => (parseYaml(manifestText()) as Manifest).streams.length;

describe('adding a stream by editing YAML only (docs/adding-a-stream.md)', () => {
  const clock = new FakeClock(TEST_NOW);
  let sim: Simulator;
  let dir: string;
  let manifest: string;
  let config: string;

  beforeAll(async () => {
    sim = await startSimulator({ now: () => clock.now(), organizations: ORGS, posts: 23 });
    // Step 1: a copy of manifest.yaml next to a copy of schemas/ (the schema of step 2 is in the repository).
    const files = writeFiles({ 'config.json': accessTokenConfig(sim.apiBaseUrl, { org_id: ORGS.join(', ') }), 'posts-catalog.json': postsCatalog });
    dir = files.dir;
    config = files['config.json'];
    cpSync(join(PROJECT_ROOT, 'schemas'), join(dir, 'schemas'), { recursive: true });
    // Step 3: the YAML of the guide appended to the streams list, as text: that the guide's text works is the point.
    const original = manifestText();
    const streamsEnd = original.indexOf('\ncheck:');
    manifest = join(dir, 'my-linkedin.yaml');
    writeFileSync(manifest, `${original.slice(0, streamsEnd)}\n${postsYaml}${original.slice(streamsEnd)}`);
  });
  afterAll(() => sim.close());

  it('step 4: validate plans one first request per organization without calling the API', async () => {
    const before = sim.requests.length;
    const run = await runInProcess(['validate', '--manifest', manifest, '--config', config, '--streams', 'posts', '--json'], { clock });
    expect(run.code).toBe(0);
    expect(sim.requests.length).toBe(before);
    const [plan] = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(plan.stream).toBe('posts');
    expect(plan.requests.map((r: { url: string }) => r.url)).toEqual(
      ORGS.map((org) => `${sim.apiBaseUrl}/posts?q=author&author=urn%3Ali%3Aorganization%3A${org}&start=0&count=10`),
    );
    expect(JSON.stringify(plan)).not.toContain('sim-access-token');
  });

  it('step 5: discover lists the new stream with its schema', async () => {
    const run = await runInProcess(['discover', '--manifest', manifest, '--config', config], { clock });
    const streams = run.messages[0].catalog.streams;
    const posts = streams.find((s: { name: string }) => s.name === 'posts');
    expect(streams).toHaveLength(9);
    expect(posts.source_defined_primary_key).toEqual([['id']]);
    expect(posts.json_schema).toEqual(JSON.parse(readFileSync(join(PROJECT_ROOT, 'schemas', 'posts.json'), 'utf8')));
  });

  it('step 5: read returns every post across every page, for every organization', async () => {
    const before = sim.requests.length;
    const run = await runInProcess(['read', '--manifest', manifest, '--config', config, '--catalog', join(dir, 'posts-catalog.json')], { clock });
    expect(run.code).toBe(0);
    expect(traces(run.messages, 'ERROR')).toHaveLength(0);
    const got = records(run.messages, 'posts');
    const expected = ORGS.flatMap((org) => expectedPosts(org, 23, TEST_NOW));
    expect(got.map((p) => p.id).sort()).toEqual(expected.map((p) => p.id).sort());
    expect(got).toHaveLength(46);
    // Three pages of at most 10 per organization, and no more.
    expect(sim.requests.length - before).toBe(6);
  });

  it('a typo in a paginator field is rejected at load with line and column', async () => {
    const broken = join(dir, 'typo.yaml');
    const text = readFileSync(manifest, 'utf8');
    // Renamed in the document, so every line stays where it is in the manifest of step 3.
    writeFileSync(broken, editYaml(text, (doc) => renameYamlKey(doc, ['streams', postsIndex(), 'retriever', 'paginator'], 'page_size', 'page_sise')));
    const line = text.split('\n').findIndex((l) => l === '        page_size: 10') + 1;
    const run = await runInProcess(['validate', '--manifest', broken, '--config', config], { clock });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`typo.yaml:${line}:9`);
    expect(run.stderr).toContain('unknown field "page_sise"');
    expect(run.stderr).toContain('page_size');
  });

  it('a paginator that would loop stops with a clear error', async () => {
    const looping = join(dir, 'loop.yaml');
    // The API keeps announcing a next page, but the paginator reads a token that never changes.
    const withLoop = parseYaml(readFileSync(manifest, 'utf8')) as Manifest;
    expect(streamNamed(withLoop, 'posts').retriever.paginator.type).toBe('OffsetIncrement');
    streamNamed(withLoop, 'posts').retriever.paginator = {
      type: 'CursorPagination',
      cursor_value: '{{ response.paging.start }}',
      page_token_option: { inject_into: 'request_parameter', field_name: 'start' },
    };
    writeFileSync(looping, toYaml(withLoop));
    const run = await runInProcess(['read', '--manifest', looping, '--config', config, '--catalog', join(dir, 'posts-catalog.json')], { clock });
    expect(run.code).toBe(1);
    const [error] = traces(run.messages, 'ERROR');
    expect(error.error.message).toContain('Pagination is going in circles');
    expect(error.error.message).toMatch(/loop\.yaml:\d+:\d+/);
  });

  it('a child stream reads one partition per parent record, seeing the parent record', async () => {
    const parentChild = join(dir, 'parent-child.yaml');
    const child = {
      type: 'DeclarativeStream',
      name: 'follower_count_by_page',
      primary_key: ['organizationalEntity'],
      schema_file: 'schemas/total_follower_count.json',
      retriever: {
        type: 'SimpleRetriever',
        partition_router: { type: 'SubstreamPartitionRouter', parent_stream: { $ref: '#/streams/0' }, parent_key: 'id', partition_field: 'page_id' },
        record_selector: { type: 'RecordSelector', field_path: [] },
        requester: {
          $ref: '#/definitions/requester',
          path: '/networkSizes/urn:li:organization:{{ stream_partition.page_id }}',
          request_parameters: { edgeType: 'COMPANY_FOLLOWED_BY_MEMBER' },
        },
      },
      transformations: [
        {
          type: 'AddFields',
          fields: [
            {
              path: ['organizationalEntity'],
              value: 'urn:li:organization:{{ stream_partition.parent_record.id }} ({{ stream_partition.parent_record.vanityName }})',
            },
          ],
        },
      ],
    };
    const withChild = parseYaml(readFileSync(manifest, 'utf8')) as Manifest;
    withChild.streams.push(child);
    writeFileSync(parentChild, toYaml(withChild));
    const catalog = writeFiles({ 'c.json': { streams: [{ stream: { name: 'follower_count_by_page' }, sync_mode: 'full_refresh' }] } })['c.json'];
    const run = await runInProcess(['read', '--manifest', parentChild, '--config', config, '--catalog', catalog], { clock });
    expect(run.code).toBe(0);
    const got = records(run.messages, 'follower_count_by_page');
    expect(got.map((r) => r.organizationalEntity.split(' ')[0]).sort()).toEqual(ORGS.map((org) => `urn:li:organization:${org}`).sort());
    expect(got.every((r) => /\(.+\)$/.test(r.organizationalEntity))).toBe(true);
  });
});
