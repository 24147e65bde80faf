/**
 * Fails (exit 1) when the folders under server/ import each other in a cycle, e.g. sync → cards →
 * sync. Each folder (server/cards, server/sync, ...) is one node, each file directly in server/ its own
 * node; an import of any kind (type-only included: it still ties the folders' designs together) from
 * one node to another is an edge. Test files are left out: a test may reach across folders.
 * Run by `npm run lint`; `tsx scripts/check-cycles.ts [root]` checks another tree (its own test).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** `from '…'` of static imports and re-exports, and `import('…')`. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) ? [full] : [];
  });
}

/** The node a file belongs to: its top folder under `server`, or the file itself when directly in it. */
function nodeOf(server: string, file: string): string | null {
  const rel = path.relative(server, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  const [first, ...rest] = rel.split(path.sep);
  return rest.length > 0 ? `${first}/` : first!;
}

export interface FolderEdge {
  from: string;
  to: string;
  /** one import that makes the edge: the file and what it imports */
  example: string;
}

export function folderEdges(server: string): FolderEdge[] {
  const edges = new Map<string, FolderEdge>();
  for (const file of sourceFiles(server)) {
    const from = nodeOf(server, file)!;
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      if (!spec!.startsWith('.')) continue;
      const to = nodeOf(server, path.resolve(path.dirname(file), spec!));
      if (!to || to === from) continue;
      const key = `${from}\0${to}`;
      if (!edges.has(key)) edges.set(key, { from, to, example: `${path.relative(server, file)} → ${spec}` });
    }
  }
  return [...edges.values()];
}

/** The groups of folders that reach each other (Tarjan's strongly connected components of size > 1). */
export function folderCycles(edges: FolderEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const nodes = [...new Set(edges.flatMap((e) => [e.from, e.to]))].sort();
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  let counter = 0;
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return groups;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  const server = path.join(root, 'server');
  const edges = folderEdges(server);
  const cycles = folderCycles(edges);
  if (cycles.length === 0) {
    console.log(`check-cycles: no import cycle between the folders of server/ (${edges.length} edges)`);
  } else {
    for (const group of cycles) {
      console.error(
        `check-cycles: these folders of server/ import each other in a cycle: ${group.join(', ')}`,
      );
      for (const e of edges.filter((e) => group.includes(e.from) && group.includes(e.to)))
        console.error(`  ${e.from} → ${e.to}   (${e.example})`);
    }
    process.exit(1);
  }
}
