import { textOf } from '../expressions/template.js';
import type { RequestOptions } from '../http/http-requester.js';
import { mergeObjects, nestedObject } from '../http/merge-objects.js';
import type { RequestOptionDefinition } from '../format/manifest-types.generated.js';

type Fields = Record<string, unknown>;

/**
 * Puts one value where a request option says: a query parameter, a header, a JSON body field or a form body field,
 * named by `field_name` or, nested in objects created as needed, by `field_path`.
 */
export function injectOption(options: RequestOptions, option: RequestOptionDefinition | undefined, value: unknown): RequestOptions {
  if (!option || value === undefined) return options;
  if (option.inject_into === 'header') return { ...options, headers: { ...options.headers, [option.field_name]: textOf(value) } };
  const field = nestedObject('field_path' in option ? option.field_path : [option.field_name], value);
  const into = (fields: Fields | undefined) => mergeObjects(fields, field) as Fields;
  switch (option.inject_into) {
    case 'request_parameter':
      return { ...options, parameters: into(options.parameters) };
    case 'body_json':
      return { ...options, body: into(options.body) };
    case 'body_data':
      return { ...options, bodyData: into(options.bodyData) };
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
