import { readFileSync } from 'node:fs';
import { configError } from '../core/errors.js';

/** Reads a JSON file given on the command line; says which option and what is wrong when it cannot. */
export function readJsonFile(path: string, option: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw configError('INPUT_UNREADABLE', `Cannot read the ${option} file "${path}": ${(error as NodeJS.ErrnoException).code ?? String(error)}.`);
  }
  try {
    return text.trim() === '' ? null : (JSON.parse(text) as unknown);
  } catch (error) {
    throw configError('INPUT_UNREADABLE', `The ${option} file "${path}" is not valid JSON: ${(error as Error).message}.`);
  }
}
