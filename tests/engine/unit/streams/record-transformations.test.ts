// KeysToSnakeCase and FlattenFields, one record at a time; their use in a manifest is tested over HTTP in
// tests/engine/integration/keyed-batch.test.ts.
import { describe, expect, it } from '@jest/globals';
import { FlattenFields } from '../../../../engine/streams/flatten-fields.js';
import { KeysToSnakeCase, snakeCase } from '../../../../engine/streams/keys-to-snake-case.js';

describe('KeysToSnakeCase', () => {
  it.each([
    ['firstName', 'first_name'],
    ['FirstName', 'first_name'],
    ['first_name', 'first_name'],
    ['Page Views', 'page_views'],
    ['page-views (total)', 'page_views_total_'],
    ['HTTPStatus', 'httpstatus'],
    ['userID', 'user_id'],
    ['_id', '_id'],
    ['  padded  ', '_padded_'],
    ['2ndPlace', '_2_nd_place'],
    ['views2024', 'views_2024'],
    ['Café Owner', 'cafe_owner'],
    ['already_snake_case', 'already_snake_case'],
  ])('%s -> %s', (key, expected) => {
    expect(snakeCase(key)).toBe(expected);
  });

  it('renames every key, in nested objects and in the objects of lists, and keeps the values', () => {
    const record = { userId: 7, Profile: { displayName: 'A', homeAddress: { zipCode: '1000' } }, Tags: ['keepThis'], Contacts: [{ emailAddress: 'a@b.c' }, 'plainValue'] };
    new KeysToSnakeCase().apply(record);
    expect(record).toEqual({
      user_id: 7,
      profile: { display_name: 'A', home_address: { zip_code: '1000' } },
      tags: ['keepThis'],
      contacts: [{ email_address: 'a@b.c' }, 'plainValue'],
    });
  });
});

describe('FlattenFields', () => {
  const flatten = (record: Record<string, unknown>, flattenLists = true) => {
    new FlattenFields({ type: 'FlattenFields', flatten_lists: flattenLists }).apply(record);
    return record;
  };

  it('moves the values of nested objects to the top level under their own keys', () => {
    expect(flatten({ id: 1, address: { street: 'Main St', geo: { lat: 1.5, lng: 2.5 } }, name: 'x' })).toEqual({ id: 1, street: 'Main St', lat: 1.5, lng: 2.5, name: 'x' });
  });

  it('a key already taken is named by its parent and itself, the record\'s own fields keeping theirs wherever they are', () => {
    expect(flatten({ data: { id: 2, name: 'inner' }, id: 1, meta: { name: 'meta' } })).toEqual({ id: 1, 'data.id': 2, name: 'inner', 'meta.name': 'meta' });
    expect(flatten({ a: { b: { c: 1 } }, d: { b: { c: 2 } } })).toEqual({ c: 1, 'b.c': 2 });
  });

  it('lists: items named by the list and their position, the fields inside by the item\'s name', () => {
    expect(flatten({ id: 1, tags: ['a', 'b'], contacts: [{ email: 'x@y' }, { email: 'z@y', phone: { mobile: '1' } }] })).toEqual({
      id: 1,
      'tags.0': 'a',
      'tags.1': 'b',
      'contacts.0.email': 'x@y',
      'contacts.1.email': 'z@y',
      'contacts.1.phone.mobile': '1',
    });
  });

  it('flatten_lists false keeps each list as one value', () => {
    expect(flatten({ id: 1, tags: ['a'], info: { contacts: [{ email: 'x@y' }] } }, false)).toEqual({ id: 1, tags: ['a'], contacts: [{ email: 'x@y' }] });
  });

  it('empty objects and lists leave nothing; null is a value', () => {
    expect(flatten({ id: 1, empty: {}, none: [], missing: null })).toEqual({ id: 1, missing: null });
  });
});
