// `npm run demo`: starts the LinkedIn API simulator, syncs every stream into a SQLite file with the real CLI,
// and shows what landed. Nothing leaves this machine.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { startSimulator } from './linkedin-simulator.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const cli = join(root, 'dist', 'bin', 'cli.js');
const dir = join(root, 'demo');
const database = join(dir, 'linkedin-pages.sqlite');
const configPath = join(dir, 'config.json');

const sim = await startSimulator({ organizations: [2414183, 1035] });
try {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    configPath,
    `${JSON.stringify(
      {
        org_id: '2414183, 1035',
        credentials: { auth_method: 'access_token', access_token: 'sim-access-token' },
        api_base_url: sim.apiBaseUrl,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`LinkedIn API simulator on ${sim.apiBaseUrl}\n$ linkedin-pages-source sync --config demo/config.json --output demo/linkedin-pages.sqlite\n`);
  // Asynchronous on purpose: the simulator answering the CLI runs in this very process.
  const status = await new Promise<number>((resolve) => {
    spawn(process.execPath, [cli, 'sync', '--config', configPath, '--output', database], { stdio: 'inherit' }).on('close', (code) => resolve(code ?? 1));
  });
  if (status !== 0) process.exitCode = status;

  const db = new Database(database, { readonly: true });
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
  console.log('\nTables in demo/linkedin-pages.sqlite:');
  for (const table of tables) {
    const { rows } = db.prepare(`SELECT count(*) AS rows FROM "${table}"`).get() as { rows: number };
    console.log(`  ${table.padEnd(32)} ${String(rows).padStart(6)} rows`);
  }
  console.log('\nLatest daily follower gains:');
  console.table(
    db
      .prepare(
        `SELECT organizationalEntity AS organization, date(timeRangeStart / 1000, 'unixepoch') AS day,
                followerGains__organicFollowerGain AS organic, followerGains__paidFollowerGain AS paid
           FROM follower_statistics_time_bound ORDER BY timeRangeStart DESC, organizationalEntity LIMIT 6`,
      )
      .all(),
  );
  console.log('Query it yourself: sqlite3 demo/linkedin-pages.sqlite "SELECT * FROM total_follower_count"');
  console.log('Run `npm run demo` again: the second sync finds nothing new and sends only the lifetime requests.');
  db.close();
} finally {
  await sim.close();
}
