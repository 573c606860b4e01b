// A config file the user mistyped: the message names the file, line and column, and quotes nothing of it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect } from '@jest/globals';
import { runInProcess, traces, writeFiles } from '../../helpers/index.js';
import { catalogFor } from '../linkedin.js';

const SECRET = 'SECRET-TOKEN-XYZ';
const BROKEN = `{\n  "org_id": "2414183",\n  "credentials": { "auth_method": "access_token", "access_token": ${SECRET} }\n}\n`;

describe('a config file with a JSON syntax error near a secret', () => {
  it('check: the TRACE says file, line and column, and no part of the secret', async () => {
    const files = writeFiles({ 'config.json': BROKEN });
    const run = await runInProcess(['check', '--config', files['config.json']]);
    const [error] = traces(run.messages, 'ERROR');
    expect(error.error.message).toBe(
      `The --config file "${files['config.json']}" is not valid JSON at line 3, column 67: expected a value (strings need double quotes).`,
    );
    expect(error.error.failure_type).toBe('config_error');
    for (const part of [SECRET, 'SECRET', 'TOKEN-X', 'XYZ']) expect(run.stdout + run.stderr).not.toContain(part);
  });

  it('sync: stderr says the same, and no part of the secret', async () => {
    const files = writeFiles({ 'config.json': BROKEN });
    const run = await runInProcess(['sync', '--config', files['config.json'], '--output', join(files.dir, 'out.sqlite')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('is not valid JSON at line 3, column 67');
    for (const part of [SECRET, 'SECRET', 'TOKEN-X', 'XYZ']) expect(run.stdout + run.stderr).not.toContain(part);
  });

  it('read with a broken catalog file names that file the same way', async () => {
    const files = writeFiles({ 'config.json': { org_id: '1', credentials: { auth_method: 'access_token', access_token: 't' } } });
    const catalog = join(files.dir, 'catalog.json');
    writeFileSync(catalog, JSON.stringify(catalogFor()).slice(0, -2));
    const run = await runInProcess(['read', '--config', files['config.json'], '--catalog', catalog]);
    expect(traces(run.messages, 'ERROR')[0].error.message).toMatch(/^The --catalog file ".*" is not valid JSON at line 1, column \d+: expected /);
  });

  it('a config file that starts with a UTF-8 byte order mark is read', async () => {
    const files = writeFiles({});
    const path = join(files.dir, 'config.json');
    writeFileSync(path, `\uFEFF${JSON.stringify({ org_id: '2414183', credentials: { auth_method: 'access_token', access_token: 't' } })}`);
    const run = await runInProcess(['discover', '--config', path]);
    expect(run.messages.map((m) => m.type)).toEqual(['CATALOG']);
  });
});
