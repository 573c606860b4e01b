import { describe, it, expect } from '@jest/globals';
import { encodeQuery } from '../../../../engine/http/query-encoding.js';

describe('form encoding', () => {
  it('percent-encodes keys and values', () => {
    expect(encodeQuery({ q: 'a b&c=d/é', 'odd key': 'x' }, 'form')).toBe('q=a%20b%26c%3Dd%2F%C3%A9&odd%20key=x');
  });

  it('writes numbers and booleans as text', () => {
    expect(encodeQuery({ start: 0, count: 100, exact: true }, 'form')).toBe('start=0&count=100&exact=true');
  });

  it('flattens objects into dotted keys', () => {
    expect(
      encodeQuery({ window: { granularity: 'DAY', range: { start: 1, end: 2 } } }, 'form'),
    ).toBe('window.granularity=DAY&window.range.start=1&window.range.end=2');
  });

  it('repeats the key for each array item', () => {
    expect(encodeQuery({ ids: ['urn:example:account:1', 'urn:example:account:2'] }, 'form')).toBe(
      'ids=urn%3Aexample%3Aaccount%3A1&ids=urn%3Aexample%3Aaccount%3A2',
    );
  });

  it('omits null and undefined, at the top and inside objects and arrays', () => {
    expect(encodeQuery({ a: null, b: undefined, c: { d: null, e: 1 }, f: [null, 2] }, 'form')).toBe('c.e=1&f=2');
  });

  it('an empty list sends nothing', () => {
    expect(encodeQuery({ ids: [], q: 'x' }, 'form')).toBe('q=x');
  });

  it('keeps empty strings', () => {
    expect(encodeQuery({ a: '' }, 'form')).toBe('a=');
  });

  it('nothing to send gives an empty string', () => {
    expect(encodeQuery({}, 'form')).toBe('');
  });
});

describe('restli2 encoding', () => {
  it('writes objects as (key:value,...) with the structure literal', () => {
    expect(
      encodeQuery({ window: { range: { start: 1, end: 2 }, granularity: 'DAY' } }, 'restli2'),
    ).toBe('window=(range:(start:1,end:2),granularity:DAY)');
  });

  it('encodes URN leaves', () => {
    expect(encodeQuery({ q: 'owner', owner: 'urn:example:account:1' }, 'restli2')).toBe(
      'q=owner&owner=urn%3Aexample%3Aaccount%3A1',
    );
  });

  it('writes arrays as List(...) with each item encoded', () => {
    expect(encodeQuery({ ids: ['urn:example:account:1', 'urn:example:account:2'] }, 'restli2')).toBe(
      'ids=List(urn%3Aexample%3Aaccount%3A1,urn%3Aexample%3Aaccount%3A2)',
    );
  });

  it('a list with one item is still a List', () => {
    expect(encodeQuery({ ids: ['urn:example:account:1'] }, 'restli2')).toBe('ids=List(urn%3Aexample%3Aaccount%3A1)');
  });

  it('nests lists in objects and objects in lists', () => {
    expect(encodeQuery({ x: { ids: [1, 2], inner: [{ a: 'b' }] } }, 'restli2')).toBe('x=(ids:List(1,2),inner:List((a:b)))');
  });

  it("encodes restli2's reserved characters inside leaves: ( ) , : ' and spaces", () => {
    expect(encodeQuery({ q: "a(b)c,d:e'f g" }, 'restli2')).toBe('q=a%28b%29c%2Cd%3Ae%27f%20g');
    expect(encodeQuery({ q: { "k'ey": 'v!*' } }, 'restli2')).toBe('q=(k%27ey:v%21%2A)');
  });

  it('omits null fields of objects and null parameters', () => {
    expect(encodeQuery({ a: null, b: { c: null, d: 'x' } }, 'restli2')).toBe('b=(d:x)');
  });

  it('an empty list parameter is not sent; an empty object is, and a list nested in an object is written even empty', () => {
    expect(encodeQuery({ o: {}, l: [], n: { l: [] } }, 'restli2')).toBe('o=()&n=(l:List())');
  });
});
