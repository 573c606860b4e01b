import type { Authenticator } from './authenticator.js';
import type { Decoder } from './decoder.js';
import type { ResponseJudge } from './error-handler.js';
import { mergeObjects } from './merge-objects.js';
import { encodeQuery, type QueryEncoding } from './query-encoding.js';
import { sendWithRetries, type SendOptions, type SuccessfulResponse } from './send-with-retries.js';
import { ConnectorError, configError } from '../core/errors.js';
import type { HttpRequest } from '../core/http-transport.js';
import type { CompiledValue } from '../expressions/compiled-value.js';
import { textOf, type ExpressionContext, type Template } from '../expressions/template.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { HttpRequesterDefinition } from '../format/manifest-types.generated.js';
import type { Runtime } from '../core/runtime.js';

/** Per-page additions a paginator makes to a request; objects are merged into the declared ones, field by field. */
export interface RequestOptions {
  parameters?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Fields of the JSON body (request_body_json). */
  body?: Record<string, unknown>;
  /** Fields of the form body (request_body_data). */
  bodyData?: Record<string, unknown>;
  /** Replaces url_base + path + parameters (a next-page link); relative links resolve against url_base. */
  url?: string;
}

/** Builds requests from the manifest's templates and sends them through the error handler. */
export class HttpRequester {
  private readonly urlBase: Template;
  private readonly path: Template;
  private readonly method: string;
  private readonly parameters: CompiledValue;
  private readonly encoding: QueryEncoding;
  private readonly headers: CompiledValue;
  private readonly bodyJson?: CompiledValue;
  private readonly bodyData?: CompiledValue;
  private readonly decoder: Decoder;
  private readonly timeoutMs: number;
  private readonly authenticator: Authenticator;
  private readonly errorHandler: ResponseJudge;
  private readonly runtime: Runtime;
  /** Where the requester is declared, for the config errors of requests it cannot send. */
  private readonly where: { urlBase: string; headers: string; requester: string };

  constructor(definition: HttpRequesterDefinition, path: Path, context: ComponentContext) {
    this.urlBase = context.template(definition.url_base, [...path, 'url_base']);
    this.path = context.template(definition.path, [...path, 'path']);
    this.method = definition.http_method;
    this.parameters = context.value(definition.request_parameters, [...path, 'request_parameters']);
    this.encoding = definition.request_parameters_encoding;
    this.headers = context.value(definition.request_headers, [...path, 'request_headers']);
    if (definition.request_body_json !== undefined && definition.request_body_data !== undefined) {
      throw configError('MANIFEST_INVALID', `The requester at ${context.describe(path)} declares both request_body_json and request_body_data; a request has one body, so keep one of them.`);
    }
    this.bodyJson = definition.request_body_json === undefined ? undefined : context.value(definition.request_body_json, [...path, 'request_body_json']);
    this.bodyData = definition.request_body_data === undefined ? undefined : context.value(definition.request_body_data, [...path, 'request_body_data']);
    this.decoder = context.build(definition.decoder, [...path, 'decoder']);
    this.timeoutMs = definition.timeout_seconds * 1000;
    this.authenticator = context.build(definition.authenticator, [...path, 'authenticator']);
    this.errorHandler = context.build(definition.error_handler, [...path, 'error_handler']);
    this.runtime = context.runtime;
    this.where = { urlBase: context.describe([...path, 'url_base']), headers: context.describe([...path, 'request_headers']), requester: context.describe(path) };
  }

  /** The request as it would be sent, without credentials: for `send` and for showing what a read would do. */
  async prepare(context: ExpressionContext, options: RequestOptions = {}): Promise<HttpRequest> {
    const base = String(await this.urlBase.evaluate(context));
    let url: string;
    if (options.url) {
      const link = new URL(options.url, base.endsWith('/') ? base : `${base}/`);
      // The credentials go with every request: a link elsewhere would hand them to another host.
      const baseHost = URL.canParse(base) ? new URL(base).host : link.host;
      if (link.host !== baseHost) {
        throw new ConnectorError(
          `The answer's next-page link points to ${link.protocol}//${link.host.slice(0, 100)}, not to the host of ${this.where.urlBase} (${baseHost}): it is not followed, so the credentials stay with that host.`,
          { failureType: 'system_error', code: 'RESPONSE_INVALID' },
        );
      }
      url = link.toString();
    } else {
      const path = await this.path.evaluateText(context, encodeURIComponent);
      const parameters = mergeObjects(await this.parameters.evaluate(context), options.parameters) as Record<string, unknown>;
      const query = encodeQuery(parameters, this.encoding);
      url = joinUrl(base, path) + (query ? `?${query}` : '');
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries((await this.headers.evaluate(context)) as Record<string, unknown>)) {
      if (value !== undefined && value !== null && value !== '') headers[name.toLowerCase()] = textOf(value);
    }
    for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
    const body = await this.bodyOf(context, options);
    // A content type the manifest's headers declare wins.
    if (body) headers['content-type'] ??= body.type;
    return { method: this.method, url, headers, body: body?.text, timeoutMs: this.timeoutMs, signal: this.runtime.signal };
  }

  /** The body: the JSON one or the form one, each with what the paginator adds to it; undefined when there is none. */
  private async bodyOf(context: ExpressionContext, options: RequestOptions): Promise<{ text: string; type: string } | undefined> {
    const json = this.bodyJson !== undefined || options.body !== undefined;
    const form = this.bodyData !== undefined || options.bodyData !== undefined;
    if (json && form) {
      throw configError('MANIFEST_INVALID', `A request option injects into ${options.bodyData ? 'body_data' : 'body_json'}, but the requester at ${this.where.requester} sends a ${options.bodyData ? 'JSON body (request_body_json)' : 'form body (request_body_data)'}: a request has one body, so inject into the one it sends.`);
    }
    if (json) {
      const declared: unknown = await this.bodyJson?.evaluate(context);
      return { text: JSON.stringify(mergeObjects(declared, options.body)), type: 'application/json' };
    }
    if (!form) return undefined;
    const declared: unknown = await this.bodyData?.evaluate(context);
    const type = 'application/x-www-form-urlencoded';
    if (typeof declared === 'string') {
      // A body written out as text goes as it is; injected fields follow it.
      const added = options.bodyData ? encodeQuery(options.bodyData, 'form') : '';
      return { text: declared && added ? `${declared}&${added}` : declared || added, type };
    }
    return { text: encodeQuery(mergeObjects(declared, options.bodyData) as Record<string, unknown>, 'form'), type };
  }

  /**
   * Sends the request; undefined when the error handler says to ignore the response. A successful response whose
   * body `check` finds unusable is retried (see SendOptions.check).
   */
  async send(context: ExpressionContext, options: RequestOptions = {}, check?: SendOptions['check']): Promise<SuccessfulResponse | undefined> {
    const prepared = await this.prepare(context, options);
    const describe = `${this.method} ${this.checkedUrl(prepared.url).pathname}`;
    return sendWithRetries({
      build: async () => this.checkedHeaders({
        ...prepared,
        url: withParameters(prepared.url, (await this.authenticator.queryParameters?.(context)) ?? {}),
        headers: { ...prepared.headers, ...(await this.authenticator.headers(context)) },
      }),
      handler: this.errorHandler,
      context,
      runtime: this.runtime,
      authenticator: this.authenticator,
      describe,
      check,
      decoder: this.decoder,
    });
  }

  /** The URL, parsed; one that does not parse or is not http(s) is a config error naming where it is declared. */
  private checkedUrl(url: string): URL {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:') {
      throw configError('CONFIG_INVALID', `The request URL ${parsed ? `uses ${parsed.protocol.slice(0, 20)}, not http or https` : 'is not a URL'}: check the config value that ${this.where.urlBase} and its path are made of.`);
    }
    return parsed;
  }

  /** The request, unless a header value has a line break or a character outside Latin-1: then it is never sent. */
  private checkedHeaders(request: HttpRequest): HttpRequest {
    for (const [name, value] of Object.entries(request.headers)) {
      if (!HEADER_VALUE.test(value)) {
        throw configError('CONFIG_INVALID', `The "${name.slice(0, 60)}" header would carry a line break or a character HTTP headers cannot: check the config value it is made of (${this.where.headers} or the authenticator).`);
      }
    }
    return request;
  }
}

/** Header values HTTP can carry: Latin-1 without control characters other than tab. */
const HEADER_VALUE = /^[\t\u0020-\u007e\u0080-\u00ff]*$/;

/**
 * The URL with these query parameters (credentials), each replacing any of the same name (a next-page link may
 * repeat a key parameter); the other parameters are kept as they are encoded.
 */
function withParameters(url: string, parameters: Record<string, string>): string {
  const names = Object.keys(parameters);
  if (names.length === 0) return url;
  const withoutFragment = url.split('#', 1)[0]; // a fragment is never sent
  const queryAt = withoutFragment.indexOf('?');
  const base = queryAt === -1 ? withoutFragment : withoutFragment.slice(0, queryAt);
  const query = queryAt === -1 ? '' : withoutFragment.slice(queryAt + 1);
  const kept = query.split('&').filter((pair) => pair !== '' && !names.includes(decodeName(pair.split('=', 1)[0])));
  const added = names.map((name) => `${encodeURIComponent(name)}=${encodeURIComponent(parameters[name])}`);
  return `${base}?${[...kept, ...added].join('&')}`;
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

function joinUrl(base: string, path: string): string {
  if (!path) return base;
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

declare module '../format/component-context.js' {
  interface Components {
    HttpRequester: HttpRequester;
  }
}
