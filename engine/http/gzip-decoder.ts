import { gunzipSync } from 'node:zlib';
import type { HttpResponse } from '../core/http-transport.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { GzipDecoderDefinition } from '../format/manifest-types.generated.js';
import { bytesOf, type Decoded, type Decoder } from './decoder.js';

/**
 * A gzip-compressed body, decompressed and handed to the inner decoder. A body without gzip's signature goes to the
 * inner decoder as it is: an answer sent with Content-Encoding: gzip arrives decompressed already.
 */
export class GzipDecoder implements Decoder {
  private readonly inner: Decoder;

  constructor(definition: GzipDecoderDefinition, path: Path, context: ComponentContext) {
    this.inner = context.build(definition.decoder, [...path, 'decoder']);
  }

  decode(response: HttpResponse): Decoded {
    const bytes = bytesOf(response);
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return this.inner.decode(response);
    let unpacked: Buffer;
    try {
      unpacked = gunzipSync(bytes);
    } catch (error) {
      // zlib's messages say what is wrong with the stream (`unexpected end of file`), never its content.
      return { problem: `with a body that is not valid gzip (${(error as Error).message})` };
    }
    return this.inner.decode({ ...response, body: unpacked.toString('utf8'), bytes: unpacked });
  }
}

declare module '../format/component-context.js' {
  interface Components {
    GzipDecoder: GzipDecoder;
  }
}
