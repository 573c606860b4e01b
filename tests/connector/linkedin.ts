// What the connector tests know about the LinkedIn Pages connector under test: where its manifest and schemas are,
// its streams, the configs the simulator accepts, and the records a read must produce (from the simulator's
// fixtures). Generic helpers are in tests/helpers/; the simulator is tests/connector/simulator/.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { compileManifest, type Connector } from '../../engine/manifest/compile.js';
import type { Runtime } from '../../engine/core/runtime.js';
import { catalog, PROJECT_ROOT, testRuntime, toYaml, type Manifest } from '../helpers/index.js';
import {
  addUtcMonths,
  DAY_MS,
  expectedDailyFollowerGains,
  expectedDailyShareStatistics,
  expectedPageStatistics,
  organizationUrn,
  utcDayStart,
} from './simulator/linkedin-simulator.js';

export { organizationUrn };

export const MANIFEST_PATH = join(PROJECT_ROOT, 'manifest.yaml');
export const SCHEMAS_DIR = join(PROJECT_ROOT, 'schemas');

export const ALL_STREAMS = [
  'organization_lookup',
  'follower_statistics',
  'share_statistics',
  'total_follower_count',
  'follower_statistics_time_bound',
  'share_statistics_time_bound',
  'page_statistics',
  'page_statistics_time_bound',
];

/** The demographics streams: lifetime facets as rows, with labels (their state keeps the labels found). */
export const DEMOGRAPHICS_STREAMS = ['follower_demographics', 'page_demographics'];

/** The post analytics streams: posts and, read from it, their statistics, reactions and video figures. */
export const POST_STREAMS = ['posts', 'post_statistics', 'post_social_metadata', 'video_analytics'];

/** Every stream of the manifest, in its order. */
export const EVERY_STREAM = [...ALL_STREAMS, ...POST_STREAMS, ...DEMOGRAPHICS_STREAMS];

/** The text of manifest.yaml. */
export function manifestText(): string {
  return readFileSync(MANIFEST_PATH, 'utf8');
}

/** manifest.yaml as an object, to change and write back with toYaml (see writeConnectorManifest). */
export function connectorManifest(): Manifest {
  return parseYaml(manifestText()) as Manifest;
}

/** Compiles manifest.yaml (or a changed text of it) as the CLI would, schemas from the project's schemas/. */
export function compileConnector(text = manifestText(), runtime: Runtime = testRuntime().runtime): Connector {
  return compileManifest(text, 'manifest.yaml', PROJECT_ROOT, runtime);
}

/**
 * Writes a (changed) copy of the connector's manifest to `path`, every schema_file made absolute so the copy reads
 * the project's schemas/ from anywhere, unless it already names another file.
 */
export function writeConnectorManifest(path: string, manifest: Manifest): string {
  const copy = structuredClone(manifest);
  // Streams are under streams and under definitions (a parent stream): every schema_file, wherever it is.
  const absolute = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(absolute);
    else if (node !== null && typeof node === 'object') {
      const mapping = node as Manifest;
      if (typeof mapping.schema_file === 'string' && mapping.schema_file.startsWith('schemas/')) mapping.schema_file = join(PROJECT_ROOT, mapping.schema_file);
      Object.values(mapping).forEach(absolute);
    }
  };
  absolute(copy);
  writeFileSync(path, toYaml(copy));
  return path;
}

/** The stream of the connector's manifest named `name` (the object itself, to change in place). */
export function streamNamed(manifest: Manifest, name: string): Manifest {
  const stream = (manifest.streams as Manifest[]).find((s) => s.name === name);
  if (!stream) throw new Error(`no stream ${name} in the manifest`);
  return stream;
}

/** A configured catalog for `streams`; time-bound streams incremental unless `mode` says otherwise. */
export function catalogFor(streams: string[] = ALL_STREAMS, mode?: 'full_refresh' | 'incremental') {
  return catalog(streams, (name) => mode ?? (name.endsWith('_time_bound') ? 'incremental' : 'full_refresh'));
}

/**
 * The Linkedin-Version of last month: active at `now`. Child-process runs use the real clock, where the bundled
 * default version retires about a year after it was pinned; they pass this one so they keep working.
 */
export function activeApiVersion(now = Date.now()): string {
  const d = new Date(now);
  const lastMonth = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1));
  return `${lastMonth.getUTCFullYear()}${String(lastMonth.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** A config for the simulator with an access token. */
export function accessTokenConfig(apiBaseUrl: string, extra: Record<string, unknown> = {}) {
  return {
    org_id: '2414183',
    credentials: { auth_method: 'access_token', access_token: 'sim-access-token' },
    api_base_url: apiBaseUrl,
    ...extra,
  };
}

/** The concurrency the bundled manifest reads with: its top-level `concurrency_level`, else the format's default. */
export function defaultConcurrency(): number {
  const declared = connectorManifest().concurrency_level as number | undefined;
  if (declared !== undefined) return declared;
  const schema = JSON.parse(readFileSync(join(PROJECT_ROOT, 'engine', 'format', 'manifest.schema.json'), 'utf8')) as {
    properties: { concurrency_level: { default: number } };
  };
  return schema.properties.concurrency_level.default;
}

/** A copy of manifest.yaml in `dir` with top-level `concurrency_level` set (replaced or added) and schema files by absolute path. */
export function manifestWithConcurrency(dir: string, level: number): string {
  const manifest = connectorManifest();
  manifest.concurrency_level = level;
  return writeConnectorManifest(join(dir, `manifest-concurrency-${level}.yaml`), manifest);
}

export function readSchemaFile(stream: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(SCHEMAS_DIR, `${stream}.json`), 'utf8')) as Record<string, unknown>;
}

/** The window the time-bound streams read at `nowMs` on a first sync: 12 months back + 1 day, to 2 days ago. */
export function timeBoundWindow(nowMs: number): { start: number; end: number } {
  const today = utcDayStart(nowMs);
  return { start: addUtcMonths(today, -12) + DAY_MS, end: today - 2 * DAY_MS };
}

/** The records a first daily sync of a time-bound stream should produce, computed from the fixtures. */
export function expectedTimeBound(stream: string, orgIds: number[], nowMs: number, window = timeBoundWindow(nowMs)): Record<string, unknown>[] {
  const generate = (orgId: number): { timeRange: { start: number; end: number } }[] => {
    if (stream === 'follower_statistics_time_bound') return expectedDailyFollowerGains(orgId, window.start, window.end, nowMs);
    if (stream === 'share_statistics_time_bound') return expectedDailyShareStatistics(orgId, window.start, window.end, nowMs);
    // Page statistics name the organization `organization`; the connector adds organizationalEntity.
    return expectedPageStatistics(orgId, window.start, window.end, 'DAY', nowMs).map((element) => ({ ...element, organizationalEntity: organizationUrn(orgId) }));
  };
  return orgIds.flatMap((orgId) =>
    generate(orgId).map((element) => timeBoundRecord(element, orgId)),
  );
}

/** Primary key of a time-bound record. */
export const dayKey = (data: Record<string, any>) => `${data.organizationalEntity}|${data.timeRangeStart}`;

/** The record the connector makes of a time-bound element: its range at the top level, its UTC date and page id. */
export function timeBoundRecord<T extends { timeRange: { start: number; end: number } }>(element: T, orgId: number) {
  return {
    ...element,
    timeRangeStart: element.timeRange.start,
    timeRangeEnd: element.timeRange.end,
    date: new Date(element.timeRange.start).toISOString().slice(0, 10),
    organization_id: String(orgId),
  };
}

/** The fields the connector adds to a "now only" record: the UTC date of the sync at `nowMs`, and the page id. */
export function snapshotFields(orgId: number, nowMs: number) {
  return { snapshot_date: new Date(nowMs).toISOString().slice(0, 10), organization_id: String(orgId) };
}
