// The connector lives in manifest.yaml and schemas/ alone: no file of the engine or the CLI names LinkedIn.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT_ROOT } from '../../helpers/index.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('the engine knows nothing of the connector it runs', () => {
  it('no engine or CLI file names LinkedIn', () => {
    const files = [...sources(join(PROJECT_ROOT, 'engine')), ...sources(join(PROJECT_ROOT, 'bin'))];
    expect(files.length).toBeGreaterThan(50);
    const named = files.filter((file) => /linkedin/i.test(readFileSync(file, 'utf8')));
    expect(named.map((file) => relative(PROJECT_ROOT, file))).toEqual([]);
  });
});
