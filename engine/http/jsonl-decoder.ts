import type { HttpResponse } from '../core/http-transport.js';
import type { Decoded, Decoder } from './decoder.js';

/** JSON Lines: each non-empty line is one JSON value; the body becomes the list of them, in order. */
export class JsonlDecoder implements Decoder {
  decode(response: HttpResponse): Decoded {
    const values: unknown[] = [];
    const lines = response.body.replace(/^\uFEFF/, '').split('\n');
    for (let index = 0; index < lines.length; index++) {
      const line = lines[index];
      if (line.trim() === '') continue;
      try {
        values.push(JSON.parse(line));
      } catch {
        // The parser's own message quotes the line, which may hold anything: the line number says where to look.
        return { problem: `with a body that is not valid JSON Lines (line ${index + 1} is not a JSON value)` };
      }
    }
    return { body: values };
  }
}

declare module '../format/component-context.js' {
  interface Components {
    JsonlDecoder: JsonlDecoder;
  }
}
