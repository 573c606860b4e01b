import { readFileSync } from 'node:fs';
import { configError } from '../core/errors.js';
import { findJsonSyntaxProblem } from './json-syntax.js';

/** Reads a JSON file given on the command line; says which option and what is wrong when it cannot. */
export function readJsonFile(path: string, option: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw configError('INPUT_UNREADABLE', `Cannot read the ${option} file "${path}": ${(error as NodeJS.ErrnoException).code ?? String(error)}.`);
  }
  // A byte order mark is not JSON, but editors on some systems write one.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  try {
    return text.trim() === '' ? null : (JSON.parse(text) as unknown);
  } catch {
    // JSON.parse's message quotes the text around the error, and a config file holds secrets: say where, not what.
    const problem = findJsonSyntaxProblem(text);
    const where = problem ? ` at line ${problem.line}, column ${problem.column}: expected ${problem.expected}` : '';
    throw configError('INPUT_UNREADABLE', `The ${option} file "${path}" is not valid JSON${where}.`, {
      location: { path: '', file: path, line: problem?.line, column: problem?.column },
    });
  }
}
