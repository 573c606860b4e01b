import AjvModule, { type Options } from 'ajv';
import * as addFormatsModule from 'ajv-formats';

type AjvInstance = import('ajv').default;
const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as typeof AjvModule.default;
const addFormats = ((addFormatsModule as unknown as { default: { default?: unknown } }).default.default ??
  (addFormatsModule as unknown as { default: unknown }).default) as (ajv: AjvInstance) => AjvInstance;

/** One way to make a draft-07 validator: formats known, and Airbyte's spec annotations accepted. */
export function createAjv(options: Options = {}): AjvInstance {
  const ajv = new Ajv({ allErrors: true, strict: false, ...options });
  addFormats(ajv);
  for (const keyword of ['airbyte_secret', 'airbyte_hidden', 'order']) ajv.addKeyword(keyword);
  return ajv;
}
