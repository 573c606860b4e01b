import type { ValidateFunction } from 'ajv';
import { configError } from '../core/errors.js';
import type { createAjv } from '../json-schema/ajv.js';
import type { Logger } from '../core/runtime.js';

/**
 * Checks records against their stream's schema. A mismatch is reported once per field and rule as a warning;
 * the record itself is emitted unchanged, never "fixed" behind the user's back.
 */
export class RecordValidator {
  private readonly validate: ValidateFunction;
  private readonly reported = new Set<string>();

  constructor(
    private readonly stream: string,
    schema: Record<string, unknown>,
    private readonly logger: Logger,
    /** Shared by the streams of a read: formats and keywords are set up once. */
    ajv: ReturnType<typeof createAjv>,
  ) {
    const id = schema.$id;
    if (typeof id === 'string' && ajv.getSchema(id)) {
      throw configError('SCHEMA_FILE_INVALID', `The schema of stream "${stream}" declares "$id": "${id}", as another stream's schema does. Give each schema its own $id, or none.`, {
        stream,
      });
    }
    try {
      this.validate = ajv.compile(schema);
    } catch (error) {
      throw configError('SCHEMA_FILE_INVALID', `The schema of stream "${stream}" cannot be compiled: ${(error as Error).message}.`, { stream });
    }
  }

  check(record: Record<string, unknown>): void {
    if (this.validate(record)) return;
    for (const error of this.validate.errors ?? []) {
      const field = [error.instancePath.split('/').slice(1).join('.'), error.params.additionalProperty].filter(Boolean).join('.') || '(record)';
      const key = `${field}|${error.keyword}`;
      if (this.reported.has(key)) continue;
      this.reported.add(key);
      this.logger.log(
        'WARN',
        `Stream "${this.stream}": field "${field}" does not match the stream's schema (${error.message}). The record is emitted unchanged; the schema may need updating.`,
      );
    }
  }
}
