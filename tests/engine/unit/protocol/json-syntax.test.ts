import { describe, it, expect } from '@jest/globals';
import { findJsonSyntaxProblem } from '../../../../engine/protocol/json-syntax.js';

describe('findJsonSyntaxProblem: where a JSON text breaks, never what it says', () => {
  it('answers undefined for valid JSON of every kind', () => {
    for (const text of ['{}', '[]', '{"a":[1,-2.5e3,true,false,null,"x\\n\\u00e9"]}', ' "s" ', '0']) {
      expect(findJsonSyntaxProblem(text)).toBeUndefined();
      expect(() => JSON.parse(text) as unknown).not.toThrow();
    }
  });

  it('names the line and column of an unquoted value', () => {
    const text = '{\n  "org_id": "1",\n  "access_token": SECRET-TOKEN-XYZ\n}';
    expect(findJsonSyntaxProblem(text)).toEqual({ line: 3, column: 19, expected: 'a value (strings need double quotes)' });
  });

  it.each([
    ['{"a":1,}', 1, 8, 'a property name in double quotes'],
    ['{"a" 1}', 1, 6, '":" after a property name'],
    ['[1 2]', 1, 4, '"," or "]"'],
    ['{"a":1', 1, 7, '"," or "}"'],
    ['"abc', 1, 5, 'a closing quote'],
    ['{"a":"x\ny"}', 1, 8, 'no control character inside a string (a line break must be written \\n)'],
    ['{"a":"\\q"}', 1, 7, 'a valid escape after a backslash'],
    ['{} x', 1, 4, 'the end of the text after the value'],
    ['', 1, 1, 'a value, but the text ends'],
    ['tru', 1, 1, 'a value'],
  ])('%j breaks at %i:%i, expecting %s', (text, line, column, expected) => {
    expect(() => JSON.parse(text) as unknown).toThrow();
    expect(findJsonSyntaxProblem(text)).toEqual({ line, column, expected });
  });
});
