import { describe, expect, it } from '@jest/globals';
import { stringify } from 'yaml';
import { compile, oneStreamManifest } from '../../../helpers/index.js';

describe('YAML anchors and aliases in a manifest', () => {
  it('an alias repeats what its anchor marks, as if written out again', () => {
    const manifest = oneStreamManifest();
    const second = { ...structuredClone(manifest.streams[0]), name: 'more_items' };
    manifest.streams.push(second);
    // The same selector object in both streams: stringify writes it once with an anchor and once as an alias.
    const selector = { type: 'RecordSelector', field_path: ['elements'] };
    manifest.streams[0].retriever.record_selector = selector;
    second.retriever.record_selector = selector;
    const text = stringify(manifest, { lineWidth: 0 });
    expect(text).toMatch(/&a\d*\n/);
    expect(text).toMatch(/record_selector: \*a\d*/);
    const connector = compile(text);
    expect(connector.streams.map((stream) => stream.name)).toEqual(['items', 'more_items']);
  });
});
