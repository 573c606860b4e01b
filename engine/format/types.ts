/**
 * The manifest format as TypeScript sees it, after `$ref` resolution and after the defaults of
 * manifest.schema.json are applied. manifest.schema.json is the truth; these types mirror it.
 * Strings may hold `{{ }}` expressions wherever the schema says "template".
 */
export type TemplateString = string;
export type TemplateValue = unknown;

export interface ManifestDefinition {
  version: string;
  definitions?: Record<string, unknown>;
  spec: SpecDefinition;
  check: CheckStreamDefinition;
  concurrency_level: number;
  streams: DeclarativeStreamDefinition[];
}

export interface SpecDefinition {
  type: 'Spec';
  documentation_url?: string;
  connection_specification: Record<string, unknown>;
}

export interface CheckStreamDefinition {
  type: 'CheckStream';
  stream_names: string[];
}

export interface DeclarativeStreamDefinition {
  type: 'DeclarativeStream';
  name: string;
  primary_key: string[];
  schema_file: string;
  retriever: SimpleRetrieverDefinition;
  incremental_sync?: DatetimeBasedCursorDefinition;
  transformations: TransformationDefinition[];
}

export interface SimpleRetrieverDefinition {
  type: 'SimpleRetriever';
  requester: HttpRequesterDefinition;
  record_selector: RecordSelectorDefinition;
  paginator: PaginatorDefinition;
  partition_router?: PartitionRouterDefinition;
}

export type QueryEncoding = 'form' | 'restli2';

export interface HttpRequesterDefinition {
  type: 'HttpRequester';
  url_base: TemplateString;
  path: TemplateString;
  http_method: 'GET' | 'POST';
  request_parameters: Record<string, TemplateValue>;
  request_parameters_encoding: QueryEncoding;
  request_headers: Record<string, TemplateString>;
  request_body_json?: TemplateValue;
  timeout_seconds: number;
  authenticator: AuthenticatorDefinition;
  error_handler: ErrorHandlerDefinition;
}

export type AuthenticatorDefinition =
  | NoAuthDefinition
  | BearerAuthenticatorDefinition
  | OAuthAuthenticatorDefinition
  | SelectiveAuthenticatorDefinition;

export interface NoAuthDefinition {
  type: 'NoAuth';
}

export interface BearerAuthenticatorDefinition {
  type: 'BearerAuthenticator';
  api_token: TemplateString;
}

export interface OAuthAuthenticatorDefinition {
  type: 'OAuthAuthenticator';
  token_refresh_endpoint: TemplateString;
  client_id: TemplateString;
  client_secret: TemplateString;
  refresh_token: TemplateString;
  /** Where the refresh token lives in the config, so a rotated one can be handed back. */
  refresh_token_config_path: string[];
  access_token_name: string;
  expires_in_name: string;
  refresh_token_name: string;
  /** Renew this many seconds before the access token's expiry. */
  refresh_margin_seconds: number;
  error_handler?: ErrorHandlerDefinition;
}

export interface SelectiveAuthenticatorDefinition {
  type: 'SelectiveAuthenticator';
  authenticator_selection_path: string[];
  authenticators: Record<string, AuthenticatorDefinition>;
}

export type ResponseAction = 'SUCCESS' | 'RETRY' | 'FAIL' | 'IGNORE' | 'RATE_LIMITED';
export type FailureTypeName = 'config_error' | 'transient_error' | 'system_error';

export interface ResponseFilterDefinition {
  type: 'HttpResponseFilter';
  action: ResponseAction;
  http_codes?: number[];
  error_message_contains?: string;
  predicate?: TemplateString;
  error_message?: TemplateString;
  failure_type?: FailureTypeName;
}

export interface ErrorHandlerDefinition {
  type: 'ErrorHandler';
  max_attempts: number;
  max_wait_seconds: number;
  response_filters: ResponseFilterDefinition[];
  backoff_strategies: BackoffDefinition[];
  rate_limit_message?: TemplateString;
  /** When an exhausted rate limit is expected to reset, as epoch ms. */
  rate_limit_reset?: TemplateString;
}

export type BackoffDefinition =
  | { type: 'ExponentialBackoff'; factor: number }
  | { type: 'ConstantBackoff'; backoff_time_in_seconds: number }
  | { type: 'WaitTimeFromHeader'; header: string };

export interface RecordSelectorDefinition {
  type: 'RecordSelector';
  field_path: string[];
  record_filter?: TemplateString;
}

export type PaginatorDefinition =
  | { type: 'NoPagination' }
  | OffsetIncrementDefinition
  | PageIncrementDefinition
  | CursorPaginationDefinition;

export interface RequestOptionDefinition {
  inject_into: 'request_parameter' | 'header' | 'body_json';
  field_name: string;
}

interface PaginatorCommon {
  page_size?: number;
  page_size_option?: RequestOptionDefinition;
  /** Stop when this is true; evaluated with `response`, `headers`, `last_page_size` and `next_page_token`. */
  stop_condition?: TemplateString;
  max_pages?: number;
  inject_on_first_request: boolean;
}

export interface OffsetIncrementDefinition extends PaginatorCommon {
  type: 'OffsetIncrement';
  page_token_option: RequestOptionDefinition;
  /** Expression for the total number of records, e.g. `{{ response.paging.total }}`. */
  total?: TemplateString;
}

export interface PageIncrementDefinition extends PaginatorCommon {
  type: 'PageIncrement';
  start_from_page: number;
  page_token_option: RequestOptionDefinition;
}

export interface CursorPaginationDefinition extends PaginatorCommon {
  type: 'CursorPagination';
  cursor_value: TemplateString;
  /** Where the token goes; `url` means the token is the next page's full or relative URL. */
  page_token_option: RequestOptionDefinition | { inject_into: 'url' };
}

export type PartitionRouterDefinition = ListPartitionRouterDefinition | SubstreamPartitionRouterDefinition;

export interface ListPartitionRouterDefinition {
  type: 'ListPartitionRouter';
  values: TemplateValue;
  partition_field: string;
}

export interface SubstreamPartitionRouterDefinition {
  type: 'SubstreamPartitionRouter';
  parent_stream: DeclarativeStreamDefinition;
  parent_key: string;
  partition_field: string;
}

export interface DatetimeBasedCursorDefinition {
  type: 'DatetimeBasedCursor';
  cursor_field: string;
  cursor_datetime_format: 'epoch_ms' | 'epoch_s' | 'iso8601' | 'date';
  start_datetime: TemplateValue;
  end_datetime: TemplateValue;
  /** ISO-8601 duration of one request's window, e.g. P30D or P1M. Template. */
  step: TemplateString;
  /** Smallest unit windows are aligned to: P1D or P1M. Template. */
  granularity: TemplateString;
  lookback_window: TemplateString;
}

export type TransformationDefinition =
  | { type: 'AddFields'; fields: { path: string[]; value: TemplateValue }[] }
  | { type: 'RemoveFields'; field_pointers: string[][] };
