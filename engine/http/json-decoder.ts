import type { HttpResponse } from '../core/http-transport.js';
import type { Decoded, Decoder } from './decoder.js';

/** The body is one JSON value; an empty body is an empty object. */
export class JsonDecoder implements Decoder {
  decode(response: HttpResponse): Decoded {
    const text = response.body;
    if (text.trim() === '') return { body: {} };
    try {
      return { body: JSON.parse(text) as unknown };
    } catch {
      return { problem: 'with a body that is not valid JSON' };
    }
  }
}

/** The decoder of requests that declare none (and of the OAuth token endpoint). */
export const JSON_DECODER = new JsonDecoder();

declare module '../format/component-context.js' {
  interface Components {
    JsonDecoder: JsonDecoder;
  }
}
