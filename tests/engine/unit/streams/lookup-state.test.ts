// The "lookups" part of a stream's state: names a saved state remembers seed the stream's lookups, the rest of the
// state goes to the cursor and the routers, and the state written back holds every name the lookups know.
import { describe, expect, it } from '@jest/globals';
import { lookupsState, rememberLookups, type Lookup } from '../../../../engine/streams/lookup.js';
import { compile, oneStreamManifest, testRuntime } from '../../../helpers/index.js';

function lookups(): Lookup[] {
  const manifest = oneStreamManifest();
  const lookup = (name: string) => ({
    type: 'Lookup',
    name,
    requester: { type: 'HttpRequester', url_base: 'http://127.0.0.1:9', path: '/names', authenticator: { type: 'NoAuth' } },
    record_selector: { type: 'RecordSelector', field_path: ['elements'] },
    id_path: ['id'],
    name_path: ['name'],
  });
  manifest.streams[0].transformations = [
    { type: 'LookupFields', fields: [{ path: ['a'], id: '{{ record.a_id }}', lookup: lookup('colours') }, { path: ['b'], id: '{{ record.b_id }}', lookup: lookup('sizes') }] },
  ];
  const stream = compile(manifest, testRuntime().runtime).streams[0] as unknown as { lookups: Lookup[] };
  return stream.lookups;
}

describe('lookups in a stream state', () => {
  it('seeds each lookup with its names and gives the rest of the state back', () => {
    const [colours, sizes] = lookups();
    const rest = rememberLookups({ states: [{ partition: { p: 1 }, cursor: { t: 5 } }], lookups: { colours: { c1: 'Red' }, sizes: { s: 'Small' }, other: { x: 'y' } } }, [colours, sizes]);
    expect(rest).toEqual({ states: [{ partition: { p: 1 }, cursor: { t: 5 } }] });
    expect(colours.nameOf('c1')).toBe('Red');
    expect(sizes.nameOf('s')).toBe('Small');
    expect(lookupsState([colours, sizes])).toEqual({ lookups: { colours: { c1: 'Red' }, sizes: { s: 'Small' } } });
  });

  it('a state of lookups only leaves nothing for the cursor; a state without them is given back as it is', () => {
    const all = lookups();
    expect(rememberLookups({ lookups: { colours: { c1: 'Red' } } }, all)).toBeUndefined();
    const plain = { t: 5 };
    expect(rememberLookups(plain, all)).toBe(plain);
    expect(rememberLookups(undefined, all)).toBeUndefined();
    expect(rememberLookups('text', all)).toBe('text');
  });

  it('"lookups" that are not objects of names are read as none, and names that are not text are skipped', () => {
    const all = lookups();
    expect(rememberLookups({ lookups: [1, 2], t: 1 }, all)).toEqual({ t: 1 });
    rememberLookups({ lookups: { colours: ['Red'], sizes: { s: 3, m: 'Medium' } } }, all);
    expect(lookupsState(all)).toEqual({ lookups: { colours: {}, sizes: { m: 'Medium' } } });
    expect(lookupsState([])).toEqual({});
  });
});
