import { configError } from '../core/errors.js';
import type { HttpResponse } from '../core/http-transport.js';
import type { ComponentContext, Path } from '../format/component-context.js';
import type { CsvDecoderDefinition } from '../format/manifest-types.generated.js';
import { bytesOf, type Decoded, type Decoder } from './decoder.js';

/**
 * CSV: the header row names the fields, every other row becomes one object of strings; the body becomes the list of
 * them. Fields in double quotes may hold the delimiter, line breaks and doubled quotes (RFC 4180); lines end in LF
 * or CRLF; empty lines are skipped.
 */
export class CsvDecoder implements Decoder {
  private readonly delimiter: string;
  private readonly text: TextDecoder;

  constructor(definition: CsvDecoderDefinition, path: Path, context: ComponentContext) {
    this.delimiter = definition.delimiter;
    try {
      this.text = new TextDecoder(definition.encoding, { fatal: true });
    } catch {
      throw configError('MANIFEST_INVALID', `The CSV encoding "${definition.encoding}" at ${context.describe([...path, 'encoding'])} is not one this engine knows; use a label such as utf-8, utf-16le, windows-1252 or iso-8859-1.`);
    }
  }

  decode(response: HttpResponse): Decoded {
    let text: string;
    try {
      text = this.text.decode(bytesOf(response));
    } catch {
      return { problem: `with a body that is not valid CSV (it is not ${this.text.encoding} text)` };
    }
    const rows = parseCsv(text, this.delimiter);
    if (typeof rows === 'string') return { problem: `with a body that is not valid CSV (${rows})` };
    if (rows.length === 0) return { body: [] };
    const header = rows[0].fields;
    const records: Record<string, string>[] = [];
    for (let index = 1; index < rows.length; index++) {
      const { fields, line } = rows[index];
      if (fields.length !== header.length) {
        return { problem: `with a body that is not valid CSV (line ${line} has ${fields.length} fields, the header ${header.length})` };
      }
      const record: Record<string, string> = {};
      for (let column = 0; column < header.length; column++) record[header[column]] = fields[column];
      records.push(record);
    }
    return { body: records };
  }
}

interface CsvRow {
  fields: string[];
  /** The 1-based line the row starts on. */
  line: number;
}

const QUOTE = '"';

/** The rows of a CSV text, or what is wrong with it and on which line. */
export function parseCsv(text: string, delimiter: string): CsvRow[] | string {
  const rows: CsvRow[] = [];
  let line = 1;
  let position = 0;
  const end = text.length;
  while (position < end) {
    // An empty line holds no row.
    if (text[position] === '\n' || (text[position] === '\r' && text[position + 1] === '\n')) {
      position += text[position] === '\r' ? 2 : 1;
      line += 1;
      continue;
    }
    const row: CsvRow = { fields: [], line };
    for (;;) {
      let field = '';
      if (text[position] === QUOTE) {
        const opened = line;
        position += 1;
        for (;;) {
          const close = text.indexOf(QUOTE, position);
          if (close === -1) return `line ${opened}: a quoted field is not closed`;
          const chunk = text.slice(position, close);
          field += chunk;
          line += countLineBreaks(chunk);
          if (text[close + 1] === QUOTE) {
            field += QUOTE;
            position = close + 2;
          } else {
            position = close + 1;
            break;
          }
        }
        const next = text[position];
        if (position < end && next !== delimiter && next !== '\n' && !(next === '\r' && text[position + 1] === '\n')) {
          return `line ${line}: text after the closing quote of a field`;
        }
      } else {
        const start = position;
        while (position < end && text[position] !== delimiter && text[position] !== '\n' && !(text[position] === '\r' && text[position + 1] === '\n')) position += 1;
        field = text.slice(start, position);
      }
      row.fields.push(field);
      if (position < end && text[position] === delimiter) {
        position += 1;
        continue;
      }
      break;
    }
    rows.push(row);
    if (position < end) {
      position += text[position] === '\r' ? 2 : 1;
      line += 1;
    }
  }
  return rows;
}

function countLineBreaks(text: string): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) count += 1;
  return count;
}

declare module '../format/component-context.js' {
  interface Components {
    CsvDecoder: CsvDecoder;
  }
}
