/**
 * The import boundaries `npm run lint` enforces (biome.json, noRestrictedImports per folder): the web
 * app never imports server/, plugins import only the plugin API and its test kit, server/domain does
 * no I/O. Each case writes one import into a file at the right place of a scratch copy of the repo
 * layout, runs Biome with the repo's biome.json, and checks that it is refused or allowed.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const biome = path.join(root, 'node_modules/.bin/biome');

interface Case {
  file: string;
  from: string;
  refused: boolean;
}

const cases: Case[] = [
  // the web app never imports server/ (TypeScript and Svelte files)
  { file: 'web/src/lib/board/state.ts', from: '../../../../server/infra/errors.ts', refused: true },
  { file: 'web/src/lib/Board.svelte', from: '../../../server/domain/wip.ts', refused: true },
  { file: 'web/src/lib/board/state.ts', from: '../../../../protocol/model.ts', refused: false },
  { file: 'web/src/lib/Board.svelte', from: '../../../protocol/plugin.ts', refused: false },
  // plugins import only the plugin API and the test kit
  { file: 'plugins/uptime/index.ts', from: '../../server/plugin-host/context.ts', refused: true },
  { file: 'plugins/uptime/index.test.ts', from: '../../server/plugin-host/test-tools.ts', refused: true },
  { file: 'plugins/uptime/index.ts', from: '../../web/src/lib/api.ts', refused: true },
  { file: 'plugins/uptime/index.ts', from: '../../protocol/model.ts', refused: true },
  { file: 'plugins/uptime/index.ts', from: '../../protocol/plugin/tickets.ts', refused: true },
  { file: 'plugins/uptime/index.ts', from: '../other-plugin/index.ts', refused: true },
  { file: 'plugins/uptime/index.ts', from: '../../protocol/plugin.ts', refused: false },
  { file: 'plugins/uptime/index.test.ts', from: '../../protocol/plugin-testkit.ts', refused: false },
  { file: 'plugins/uptime/index.test.ts', from: './index.ts', refused: false },
  // server/domain does no I/O
  { file: 'server/domain/sla.ts', from: 'pg', refused: true },
  { file: 'server/domain/sla.ts', from: 'kysely', refused: true },
  { file: 'server/domain/sla.ts', from: 'socket.io', refused: true },
  { file: 'server/domain/sla.ts', from: 'fastify', refused: true },
  { file: 'server/domain/sla.ts', from: '@fastify/static', refused: true },
  { file: 'server/domain/sla.ts', from: 'node:fs', refused: true },
  { file: 'server/domain/sla.ts', from: 'node:net', refused: true },
  { file: 'server/domain/sla.ts', from: 'node:http', refused: true },
  { file: 'server/domain/sla.ts', from: '../infra/database.ts', refused: true },
  { file: 'server/domain/sla.ts', from: '../sync/event-log.ts', refused: true },
  { file: 'server/domain/sla.ts', from: '../cards/repo.ts', refused: true },
  { file: 'server/domain/sla.ts', from: './wip.ts', refused: false },
  { file: 'server/domain/sla.ts', from: '../../protocol/model.ts', refused: false },
  { file: 'server/domain/sla.ts', from: 'fractional-indexing', refused: false },
  // elsewhere the same imports are fine
  { file: 'server/cards/repo.ts', from: 'kysely', refused: false },
  { file: 'server/plugin-host/registry.ts', from: '../../protocol/plugin/tickets.ts', refused: false },
];

let refusedLines: Set<string>;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'boundaries-'));
  const config = JSON.parse(readFileSync(path.join(root, 'biome.json'), 'utf8'));
  delete config.$schema;
  writeFileSync(path.join(dir, 'biome.json'), JSON.stringify(config));
  // one file per case: `import * as m<i> from '<from>'` on line 1, used on line 2
  cases.forEach((c, i) => {
    const file = path.join(dir, `${c.file.replace(/(\.svelte|\.ts)$/, '')}.case${i}${path.extname(c.file)}`);
    mkdirSync(path.dirname(file), { recursive: true });
    const code = `import * as m${i} from '${c.from}';\nexport const used${i} = m${i};\n`;
    writeFileSync(
      file,
      c.file.endsWith('.svelte') ? `<script lang="ts">\n${code}</script>\n\n<p>{used${i}}</p>\n` : code,
    );
  });
  const run = promisify(execFile);
  const out = await run(biome, ['lint', '--reporter=github', '--max-diagnostics=none', '.'], {
    cwd: dir,
  }).then(
    (r) => r.stdout,
    (err: { stdout?: string }) => err.stdout ?? '',
  );
  refusedLines = new Set(
    [...out.matchAll(/title=lint\/style\/noRestrictedImports,file=([^,]+),line=(\d+)/g)].map(
      (m) => `${path.relative(dir, m[1]!)}:${m[2]}`,
    ),
  );
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('import boundaries (npm run lint)', () => {
  it('npm run lint runs biome check over the whole repository', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(pkg.scripts.lint).toMatch(/^biome check \. && /);
  });

  it.each(cases.map((c, i) => ({ ...c, i })))('$file importing $from: refused=$refused', (c) => {
    const file = `${c.file.replace(/(\.svelte|\.ts)$/, '')}.case${c.i}${path.extname(c.file)}`;
    const line = c.file.endsWith('.svelte') ? 2 : 1;
    expect(refusedLines.has(`${file}:${line}`)).toBe(c.refused);
  });
});
