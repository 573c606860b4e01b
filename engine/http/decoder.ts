import type { HttpResponse } from '../core/http-transport.js';

/**
 * What a decoder made of a body: the value the record selector and paginator read, or what is wrong with the body,
 * said so that it follows the status (`with a body that is not valid JSON Lines (line 3 is not a JSON value)`).
 */
export type Decoded = { body: unknown; problem?: undefined } | { body?: undefined; problem: string };

/** Turns a successful response's body into a value. One per requester; the retry loop calls it once per answer. */
export interface Decoder {
  decode(response: HttpResponse): Decoded;
}

/** The body's bytes: as received when the transport kept them, else its text as UTF-8. */
export function bytesOf(response: HttpResponse): Uint8Array {
  return response.bytes ?? Buffer.from(response.body, 'utf8');
}
