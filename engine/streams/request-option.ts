import { textOf } from '../expressions/template.js';
import type { RequestOptions } from '../http/http-requester.js';
import type { RequestOptionDefinition } from '../format/manifest-types.generated.js';

/** Puts one value where a request option says: a query parameter, a header or a JSON body field. */
export function injectOption(options: RequestOptions, option: RequestOptionDefinition | undefined, value: unknown): RequestOptions {
  if (!option || value === undefined) return options;
  switch (option.inject_into) {
    case 'request_parameter':
      return { ...options, parameters: { ...options.parameters, [option.field_name]: value } };
    case 'header':
      return { ...options, headers: { ...options.headers, [option.field_name]: textOf(value) } };
    case 'body_json':
      return { ...options, body: { ...options.body, [option.field_name]: value } };
  }
}

/** `first`'s options with `then`'s added (and winning where both set one). */
export function mergeOptions(first?: RequestOptions, then?: RequestOptions): RequestOptions | undefined {
  if (!first) return then;
  if (!then) return first;
  return {
    ...((first.parameters ?? then.parameters) ? { parameters: { ...first.parameters, ...then.parameters } } : {}),
    ...((first.headers ?? then.headers) ? { headers: { ...first.headers, ...then.headers } } : {}),
    ...((first.body ?? then.body) ? { body: { ...first.body, ...then.body } } : {}),
    ...((then.url ?? first.url) !== undefined ? { url: then.url ?? first.url } : {}),
  };
}
