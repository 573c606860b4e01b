import type { ValidateFunction } from 'ajv';
import { createAjv } from '../json-schema.js';
import type { Logger } from '../runtime.js';

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
  ) {
    this.validate = createAjv().compile(schema);
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
