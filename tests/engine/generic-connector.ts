// A manifest for the generic API (./generic-api.ts), built as an object: the connector the engine tests run. Its
// streams read items paged by offset, by page number and by cursor, accounts,
// their projects (a substream of accounts) and daily metrics per account (incremental, in date windows), with a
// bearer token or OAuth 2.0, chosen by the config. Tests take it and change what they test.
import { writeManifest, type Manifest } from '../helpers/index.js';

export const STREAMS = ['items_by_offset', 'items_by_page', 'items_by_cursor', 'accounts', 'projects', 'daily_metrics'];

const itemSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: { id: { type: 'integer' }, name: { type: 'string' }, color: { type: 'string' } },
};

/** The JSON schema of each stream, written next to the manifest as schemas/<stream>.json. */
export const SCHEMAS: Record<string, unknown> = {
  items_by_offset: itemSchema,
  items_by_page: itemSchema,
  items_by_cursor: itemSchema,
  accounts: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: { id: { type: 'string' }, name: { type: 'string' }, created: { type: 'string' } },
  },
  projects: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: { id: { type: 'string' }, account_id: { type: 'string' }, title: { type: 'string' }, account_name: { type: 'string' } },
  },
  daily_metrics: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: { account_id: { type: 'string' }, day: { type: 'string' }, views: { type: 'integer' }, clicks: { type: 'integer' } },
  },
};

const secret = { type: 'string', airbyte_secret: true };

export interface GenericManifestOptions {
  /** Top-level concurrency_level (default: none, so the format's default). */
  concurrency?: number;
  /** Page size of the three item streams (default 5). */
  pageSize?: number;
  /** Step of the metrics windows (default P7D). */
  step?: string;
  /** The shared error handler (default: 5 attempts, Retry-After or exponential backoff, 401/403/404 config errors, 429 a rate limit). */
  errorHandler?: Manifest;
}

/** The manifest, as an object. */
export function genericManifest(options: GenericManifestOptions = {}): Manifest {
  const pageSize = options.pageSize ?? 5;
  const stream = (name: string, retriever: Manifest, extra: Manifest = {}) => ({
    type: 'DeclarativeStream',
    name,
    primary_key: name === 'daily_metrics' ? ['account_id', 'day'] : ['id'],
    schema_file: `schemas/${name}.json`,
    ...extra,
    retriever: { type: 'SimpleRetriever', ...retriever },
  });
  const requester = (path: string, extra: Manifest = {}) => ({ $ref: '#/definitions/requester', path, ...extra });
  const items = { type: 'RecordSelector', field_path: ['items'] };
  return {
    version: '1.0',
    ...(options.concurrency === undefined ? {} : { concurrency_level: options.concurrency }),
    definitions: {
      authenticator: {
        type: 'SelectiveAuthenticator',
        authenticator_selection_path: ['credentials', 'auth_method'],
        authenticators: {
          access_token: { type: 'BearerAuthenticator', api_token: '{{ config.credentials.access_token }}' },
          oauth: {
            type: 'OAuthAuthenticator',
            token_refresh_endpoint: '{{ config.token_url }}',
            client_id: '{{ config.credentials.client_id }}',
            client_secret: '{{ config.credentials.client_secret }}',
            refresh_token: '{{ config.credentials.refresh_token }}',
            refresh_token_config_path: ['credentials', 'refresh_token'],
          },
        },
      },
      error_handler: options.errorHandler ?? {
        type: 'ErrorHandler',
        max_attempts: 5,
        backoff_strategies: [
          { type: 'WaitTimeFromHeader', header: 'Retry-After' },
          { type: 'ExponentialBackoff', factor: 5 },
        ],
        rate_limit_message: 'The rate limit of the API is used up; what was read so far is saved.',
        rate_limit_reset: "{{ headers.`x-ratelimit-reset` ? $number(headers.`x-ratelimit-reset`) * 1000 : $add_days($day_start($now_ms()), 1) }}",
        response_filters: [
          {
            type: 'HttpResponseFilter',
            http_codes: [401, 403],
            action: 'FAIL',
            failure_type: 'config_error',
            error_message: 'The API refused the credentials ({{ response.error }}). Check the access token, or the OAuth client and refresh token.',
          },
          {
            type: 'HttpResponseFilter',
            http_codes: [404],
            action: 'FAIL',
            failure_type: 'config_error',
            error_message: 'Unknown account {{ stream_partition.account_id }}: check account_ids.',
          },
          { type: 'HttpResponseFilter', http_codes: [429], action: 'RATE_LIMITED' },
        ],
      },
      requester: {
        type: 'HttpRequester',
        url_base: '{{ config.base_url }}',
        path: '/',
        authenticator: { $ref: '#/definitions/authenticator' },
        error_handler: { $ref: '#/definitions/error_handler' },
      },
      accounts_of_config: {
        type: 'ListPartitionRouter',
        partition_field: 'account_id',
        values: "{{ $split(config.account_ids, ',').$trim($) }}",
      },
    },
    streams: [
      stream('items_by_offset', {
        requester: requester('/items'),
        record_selector: items,
        paginator: {
          type: 'OffsetIncrement',
          page_size: pageSize,
          page_token_option: { inject_into: 'request_parameter', field_name: 'offset' },
          page_size_option: { inject_into: 'request_parameter', field_name: 'limit' },
          total: '{{ response.total }}',
        },
      }),
      stream('items_by_page', {
        requester: requester('/items/pages'),
        record_selector: items,
        paginator: {
          type: 'PageIncrement',
          page_size: pageSize,
          page_token_option: { inject_into: 'request_parameter', field_name: 'page' },
          page_size_option: { inject_into: 'request_parameter', field_name: 'per_page' },
        },
      }),
      stream('items_by_cursor', {
        requester: requester('/items/feed'),
        record_selector: items,
        paginator: {
          type: 'CursorPagination',
          cursor_value: '{{ response.next_cursor }}',
          page_size: pageSize,
          page_size_option: { inject_into: 'request_parameter', field_name: 'limit' },
          page_token_option: { inject_into: 'request_parameter', field_name: 'cursor' },
        },
      }),
      stream('accounts', { requester: requester('/accounts'), record_selector: { type: 'RecordSelector', field_path: ['accounts'] } }),
      stream(
        'projects',
        {
          partition_router: {
            type: 'SubstreamPartitionRouter',
            parent_stream: { $ref: '#/streams/3' },
            parent_key: 'id',
            partition_field: 'account_id',
          },
          requester: requester('/accounts/{{ stream_partition.account_id }}/projects'),
          record_selector: { type: 'RecordSelector', field_path: ['projects'] },
        },
        {
          transformations: [{ type: 'AddFields', fields: [{ path: ['account_name'], value: '{{ stream_partition.parent_record.name }}' }] }],
        },
      ),
      stream(
        'daily_metrics',
        {
          partition_router: { $ref: '#/definitions/accounts_of_config' },
          requester: requester('/accounts/{{ stream_partition.account_id }}/metrics', {
            request_parameters: { since: '{{ stream_slice.start_time }}', until: '{{ stream_slice.end_time }}' },
          }),
          record_selector: { type: 'RecordSelector', field_path: ['metrics'] },
        },
        {
          incremental_sync: {
            type: 'DatetimeBasedCursor',
            cursor_field: 'day',
            cursor_datetime_format: 'date',
            start_datetime: '{{ config.start_date }}',
            end_datetime: '{{ $day_start($now_ms()) }}',
            step: options.step ?? 'P7D',
            granularity: 'P1D',
          },
        },
      ),
    ],
    check: { type: 'CheckStream', stream_names: ['accounts'] },
    spec: {
      type: 'Spec',
      documentation_url: 'https://example.com/generic-api',
      connection_specification: {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        required: ['base_url', 'credentials'],
        properties: {
          base_url: { type: 'string' },
          token_url: { type: 'string' },
          account_ids: { type: 'string', default: 'acme, globex' },
          start_date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', default: '2026-10-01' },
          credentials: {
            type: 'object',
            oneOf: [
              {
                type: 'object',
                required: ['auth_method', 'access_token'],
                properties: { auth_method: { const: 'access_token' }, access_token: secret },
              },
              {
                type: 'object',
                required: ['auth_method', 'client_id', 'client_secret', 'refresh_token'],
                properties: { auth_method: { const: 'oauth' }, client_id: secret, client_secret: secret, refresh_token: secret },
              },
            ],
          },
        },
      },
    },
  };
}

/** Writes a manifest (default: genericManifest()) with its schemas to a temporary folder; returns its path. */
export function writeGenericManifest(manifest: Manifest = genericManifest()): string {
  return writeManifest(manifest, SCHEMAS);
}

/** A config for the API at `apiUrl` with the default bearer token, or `credentials`. */
export function accessConfig(apiUrl: string, extra: Record<string, unknown> = {}, token = 'generic-api-token'): Record<string, unknown> {
  return { base_url: apiUrl, credentials: { auth_method: 'access_token', access_token: token }, ...extra };
}
