/** Where a JSON text stops being JSON, and what was expected there. */
export interface JsonSyntaxProblem {
  line: number;
  column: number;
  expected: string;
}

/**
 * Finds the first syntax error of a JSON text, for a message that names its line and column without quoting the
 * text: a config file holds secrets, and JSON.parse's own message quotes the input around the error.
 * Answers undefined when the text is valid JSON.
 */
export function findJsonSyntaxProblem(text: string): JsonSyntaxProblem | undefined {
  let at = 0;
  const fail = (expected: string): never => {
    throw new Problem(at, expected);
  };
  const space = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at])) at += 1;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, at)) at += word.length;
    else fail('a value');
  };
  const string = () => {
    at += 1;
    for (;;) {
      if (at >= text.length) fail('a closing quote');
      const char = text[at];
      if (char === '"') {
        at += 1;
        return;
      }
      if (char < ' ') fail('no control character inside a string (a line break must be written \\n)');
      if (char === '\\') {
        const escape = text[at + 1] ?? '';
        if (escape === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) fail('four hex digits after \\u');
          at += 6;
        } else if ('"\\/bfnrt'.includes(escape) && escape !== '') at += 2;
        else fail('a valid escape after a backslash');
      } else at += 1;
    }
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at, at + 400));
    if (!match) fail('a value');
    else at += match[0].length;
  };
  const value = (depth: number): void => {
    if (depth > 10_000) fail('less nesting');
    space();
    const char = text[at];
    if (char === '{') {
      at += 1;
      space();
      if (text[at] === '}') {
        at += 1;
        return;
      }
      for (;;) {
        space();
        if (text[at] !== '"') fail('a property name in double quotes');
        string();
        space();
        if (text[at] !== ':') fail('":" after a property name');
        at += 1;
        value(depth + 1);
        space();
        if (text[at] === ',') {
          at += 1;
          continue;
        }
        if (text[at] === '}') {
          at += 1;
          return;
        }
        fail('"," or "}"');
      }
    }
    if (char === '[') {
      at += 1;
      space();
      if (text[at] === ']') {
        at += 1;
        return;
      }
      for (;;) {
        value(depth + 1);
        space();
        if (text[at] === ',') {
          at += 1;
          continue;
        }
        if (text[at] === ']') {
          at += 1;
          return;
        }
        fail('"," or "]"');
      }
    }
    if (char === '"') string();
    else if (char === 't') literal('true');
    else if (char === 'f') literal('false');
    else if (char === 'n') literal('null');
    else if (char === '-' || (char >= '0' && char <= '9')) number();
    else fail(at >= text.length ? 'a value, but the text ends' : 'a value (strings need double quotes)');
  };
  try {
    value(0);
    space();
    if (at < text.length) fail('the end of the text after the value');
    return undefined;
  } catch (error) {
    if (!(error instanceof Problem)) throw error;
    const before = text.slice(0, error.offset);
    const lastBreak = before.lastIndexOf('\n');
    return { line: before.split('\n').length, column: error.offset - lastBreak, expected: error.expected };
  }
}

class Problem extends Error {
  constructor(
    readonly offset: number,
    readonly expected: string,
  ) {
    super(expected);
  }
}
