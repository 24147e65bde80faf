/**
 * scripts/check-cycles.ts (run by `npm run lint`): it finds a cycle between two folders of a server
 * tree, type-only imports included, and server/ itself has none.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { folderCycles, folderEdges } from '../scripts/check-cycles.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A server/ tree with the given files (path → text). */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'cycles-'));
  dirs.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

describe('the folder cycle check', () => {
  it('finds sync → cards → sync, even through a type-only import', () => {
    const server = tree({
      'cards/service.ts': "import { commitWithEvents } from '../sync/event-log.ts';\n",
      'sync/event-log.ts': 'export const commitWithEvents = 1;\n',
      'sync/realtime.ts': "import type { CardService } from '../cards/service.ts';\n",
    });
    expect(folderCycles(folderEdges(server))).toEqual([['cards/', 'sync/']]);
  });

  it('passes layers that import one way, and ignores imports inside a folder and from tests', () => {
    const server = tree({
      'app.ts':
        "import { CardService } from './cards/service.ts';\nimport { x } from './sync/realtime.ts';\n",
      'cards/service.ts':
        "import { commitWithEvents } from '../sync/event-log.ts';\nimport * as repo from './repo.ts';\n",
      'cards/repo.ts': 'export {};\n',
      'sync/event-log.ts': 'export const commitWithEvents = 1;\n',
      'sync/realtime.ts': "import { commitWithEvents } from './event-log.ts';\n",
      'sync/realtime.test.ts': "import { CardService } from '../cards/service.ts';\n",
    });
    expect(folderCycles(folderEdges(server))).toEqual([]);
  });

  it('finds no cycle between the folders of server/', () => {
    const server = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../server');
    expect(folderCycles(folderEdges(server))).toEqual([]);
  });
});
