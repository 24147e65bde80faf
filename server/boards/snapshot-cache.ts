/**
 * Opened boards, kept compressed per sequence number. A board's snapshot changes only with its
 * sequence number (every change commits with one, sync/event-log.ts), and apart from the reader's
 * role it is the same for every reader: so the snapshot is built once per board, role and sequence
 * number, gzip-compressed, and every open of that state is sent the same bytes. Concurrent opens of
 * a board wait for the one build in flight instead of each building the whole board as a string of
 * its own: many people opening a big board at once cost the server one build, not one each.
 *
 * Some of what a snapshot shows changes without a board event (a member renamed): the reader passes
 * a `tag` of it with the sequence number, and a held snapshot built under another tag is built again.
 */
import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

export interface CachedSnapshot {
  seq: number;
  /** the tag of what the snapshot shows beyond its sequence number (see SnapshotVersion) */
  tag: string;
  /** the snapshot's JSON text, gzip-compressed */
  gzipped: Buffer;
}

/** What a reader needs: a snapshot at `seq` or later, built under the same `tag`. */
export interface SnapshotVersion {
  seq: number;
  tag: string;
}

const serves = (s: CachedSnapshot, want: SnapshotVersion) => s.seq >= want.seq && s.tag === want.tag;

/** Compressed snapshots held at most (the least recently opened go first). */
export const SNAPSHOT_CACHE_BYTES = 128 * 1024 * 1024;

export class SnapshotCache {
  /** key → snapshot, in order of last use */
  private readonly held = new Map<string, CachedSnapshot>();
  private readonly building = new Map<string, Promise<CachedSnapshot>>();
  private bytes = 0;

  constructor(private readonly maxBytes = SNAPSHOT_CACHE_BYTES) {}

  /**
   * The snapshot under `key` at version `want` or later: held, being built, or built now by `build`
   * (which returns the JSON and the sequence number it was read at). The build starts after the
   * reader read `want`, so it shows at least what the tag stands for.
   */
  async get(
    key: string,
    want: SnapshotVersion,
    build: () => Promise<{ seq: number; json: string }>,
  ): Promise<CachedSnapshot> {
    for (;;) {
      const held = this.held.get(key);
      if (held && serves(held, want)) {
        this.held.delete(key); // most recently used goes last
        this.held.set(key, held);
        return held;
      }
      const inFlight = this.building.get(key);
      if (inFlight) {
        const built = await inFlight.catch(() => null);
        if (built && serves(built, want)) return built;
        if (built) continue; // built at an earlier version than this reader saw: build again
      }
      const started = this.build(key, want.tag, build);
      this.building.set(key, started);
      try {
        return await started;
      } finally {
        if (this.building.get(key) === started) this.building.delete(key);
      }
    }
  }

  private async build(key: string, tag: string, build: () => Promise<{ seq: number; json: string }>) {
    const { seq, json } = await build();
    // A fast level: the build is on the first open's path (docs/performance.md has the sizes).
    const gzipped = await gzipAsync(json, { level: 4, strategy: constants.Z_DEFAULT_STRATEGY });
    const snapshot = { seq, tag, gzipped };
    const held = this.held.get(key);
    if (!held || held.seq <= seq || held.tag !== tag) {
      if (held) this.bytes -= held.gzipped.length;
      this.held.delete(key);
      this.held.set(key, snapshot);
      this.bytes += gzipped.length;
      for (const [oldest, s] of this.held) {
        if (this.bytes <= this.maxBytes || oldest === key) break;
        this.held.delete(oldest);
        this.bytes -= s.gzipped.length;
      }
    }
    return snapshot;
  }
}
