/**
 * Presence converges: several instances, each with its sockets, exchanging messages that may arrive
 * late and out of order, instances killed (no goodbye) and started again; after any such history,
 * once the messages are through and the heartbeats have run, every socket's list (kept by the web
 * app's reducer) is exactly who is on its board and what they drag. And the cost: one join or drag
 * sends each watcher one frame whose size does not depend on the audience.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { PresenceFrame } from '../../protocol/socket.ts';
import {
  applyPresence,
  noPresence,
  type PresenceState,
  presenceUsers,
} from '../../web/src/lib/board/presence.ts';
import { BoardPresence, mergePresenceChanges, type PeerMessage } from './presence.ts';

const HEARTBEAT_MS = 1000;
const BOARDS = ['board-a', 'board-b'];
const USERS = ['ann', 'bob', 'cy', 'dee'];
const CARDS = ['card-1', 'card-2', null];

interface Client {
  socketId: string;
  userId: string;
  boardId: string;
  dragging: string | null;
  state: PresenceState;
  frames: number;
}

interface Instance {
  presence: BoardPresence;
  alive: boolean;
  clients: Client[];
}

/** A little cluster: instances, their clients, and the messages between instances not yet delivered. */
class Cluster {
  now = 0;
  instances: Instance[] = [];
  inFlight: { to: Instance; message: PeerMessage }[] = [];
  private nextSocket = 0;

  startInstance(): Instance {
    const instance: Instance = { presence: null as never, alive: true, clients: [] };
    instance.presence = new BoardPresence({
      instanceId: `instance-${this.instances.length}`,
      heartbeatMs: 1e9, // the test beats by hand, on its clock
      peerTimeoutMs: 3 * HEARTBEAT_MS,
      tickMs: 1e9, // and flushes by hand
      clock: () => this.now,
      toLocal: (boardId, frame) => {
        for (const c of instance.clients) if (c.boardId === boardId) this.receive(c, frame);
      },
      toPeers: (message) => {
        for (const to of this.instances) if (to !== instance && to.alive) this.inFlight.push({ to, message });
      },
    });
    this.instances.push(instance);
    instance.presence.start();
    return instance;
  }

  receive(c: Client, frame: PresenceFrame) {
    c.state = applyPresence(c.state, frame, c.boardId);
    c.frames++;
  }

  join(instance: Instance, userId: string, boardId: string): Client {
    const c: Client = {
      socketId: `s${this.nextSocket++}`,
      userId,
      boardId,
      dragging: null,
      state: noPresence,
      frames: 0,
    };
    instance.clients.push(c); // in the room first, as the server does
    instance.presence.joined(boardId, c.socketId, { id: userId, name: userId });
    this.receive(c, { boardId, full: true, entries: instance.presence.entries(boardId) });
    return c;
  }

  leave(instance: Instance, c: Client) {
    instance.clients = instance.clients.filter((x) => x !== c);
    instance.presence.left(c.boardId, c.socketId, c.userId);
  }

  drag(instance: Instance, c: Client, cardId: string | null) {
    c.dragging = cardId;
    instance.presence.dragging(c.boardId, c.socketId, c.userId, cardId);
  }

  kill(instance: Instance) {
    instance.alive = false;
    instance.clients = [];
    instance.presence.stop(false);
    this.inFlight = this.inFlight.filter((m) => m.to !== instance);
  }

  deliver(index: number) {
    const [m] = this.inFlight.splice(index % this.inFlight.length, 1);
    if (m?.to.alive) m.to.presence.receive(m.message);
  }

  living() {
    return this.instances.filter((i) => i.alive);
  }

  /** Flushes, delivers everything and lets heartbeats run until a dead instance's timeout has passed. */
  settle() {
    for (let round = 0; round < 6; round++) {
      for (const i of this.living()) i.presence.flush();
      while (this.inFlight.length > 0) this.deliver(0);
      for (const i of this.living()) i.presence.flush();
      this.now += HEARTBEAT_MS;
      for (const i of this.living()) i.presence.beat();
      while (this.inFlight.length > 0) this.deliver(0);
      for (const i of this.living()) i.presence.flush();
    }
  }

  /** Who is on the board: users with a socket on a living instance, and the cards they drag. */
  truth(boardId: string) {
    const users = new Map<string, Set<string>>();
    for (const i of this.living())
      for (const c of i.clients)
        if (c.boardId === boardId) {
          const drags = users.get(c.userId) ?? new Set<string>();
          if (c.dragging) drags.add(c.dragging);
          users.set(c.userId, drags);
        }
    return users;
  }

  stopAll() {
    for (const i of this.instances) i.presence.stop(false);
  }
}

let cluster: Cluster | null = null;
afterEach(() => cluster?.stopAll());

const step = fc.oneof(
  fc.record({ op: fc.constant('join' as const), inst: fc.nat(), user: fc.nat(), board: fc.nat() }),
  fc.record({ op: fc.constant('leave' as const), inst: fc.nat(), client: fc.nat() }),
  fc.record({ op: fc.constant('drag' as const), inst: fc.nat(), client: fc.nat(), card: fc.nat() }),
  fc.record({ op: fc.constant('flush' as const), inst: fc.nat() }),
  fc.record({ op: fc.constant('deliver' as const), index: fc.nat() }),
  fc.record({ op: fc.constant('beat' as const) }),
  fc.record({ op: fc.constant('kill' as const), inst: fc.nat() }),
  fc.record({ op: fc.constant('start' as const) }),
);

describe('presence across instances', () => {
  it('every client’s list ends equal to the truth, whatever the joins, leaves, drags, delays and kills', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        cluster?.stopAll();
        const cl = new Cluster();
        cluster = cl;
        cl.startInstance();
        cl.startInstance();
        for (const s of steps) {
          const living = cl.living();
          const inst = 'inst' in s ? living[s.inst % Math.max(1, living.length)] : undefined;
          const client =
            inst && 'client' in s ? inst.clients[s.client % Math.max(1, inst.clients.length)] : undefined;
          switch (s.op) {
            case 'join':
              if (inst) cl.join(inst, USERS[s.user % USERS.length]!, BOARDS[s.board % BOARDS.length]!);
              break;
            case 'leave':
              if (inst && client) cl.leave(inst, client);
              break;
            case 'drag':
              if (inst && client) cl.drag(inst, client, CARDS[s.card % CARDS.length]!);
              break;
            case 'flush':
              inst?.presence.flush();
              break;
            case 'deliver':
              if (cl.inFlight.length > 0) cl.deliver(s.index);
              break;
            case 'beat':
              cl.now += HEARTBEAT_MS;
              for (const i of living) i.presence.beat();
              break;
            case 'kill':
              if (inst && living.length > 1) cl.kill(inst);
              break;
            case 'start':
              if (cl.instances.length < 5) cl.startInstance();
              break;
          }
        }
        cl.settle();
        for (const i of cl.living()) {
          for (const c of i.clients) {
            const truth = cl.truth(c.boardId);
            const shown = presenceUsers(c.state);
            expect(shown.map((u) => u.userId).sort()).toEqual([...truth.keys()].sort());
            for (const u of shown) {
              const drags = truth.get(u.userId)!;
              if (drags.size === 0) expect(u.draggingCardId).toBeNull();
              else expect(drags.has(u.draggingCardId ?? '')).toBe(true);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a join or a drag sends each watcher one frame, the same size for 10 watchers as for 300', () => {
    const sizes = [10, 300].map((audience) => {
      const cl = new Cluster();
      cluster = cl;
      const [a, b] = [cl.startInstance(), cl.startInstance()];
      cl.settle();
      const watchers = Array.from({ length: audience }, (_, n) =>
        cl.join(n % 2 ? a : b, `user-${n}`, 'board-a'),
      );
      cl.settle();
      let bytes = 0;
      const watcher = watchers[0]!;
      const before = watcher.frames;
      const receive = cl.receive.bind(cl);
      cl.receive = (c, frame) => {
        if (c === watcher) bytes += JSON.stringify(frame).length;
        receive(c, frame);
      };
      const newcomer = cl.join(a, 'newcomer', 'board-a');
      cl.settle();
      const joinFrames = watcher.frames - before;
      const joinBytes = bytes;
      bytes = 0;
      cl.drag(a, newcomer, 'card-1');
      cl.settle();
      cl.stopAll();
      return { joinFrames, joinBytes, dragFrames: watcher.frames - before - joinFrames, dragBytes: bytes };
    });
    expect(sizes[0]!.joinFrames).toBe(1);
    expect(sizes[0]!.dragFrames).toBe(1);
    expect(sizes[1]).toEqual(sizes[0]);
  });
});

describe('mergePresenceChanges', () => {
  const key = fc.record({ instanceId: fc.constantFrom('i-1', 'i-2'), userId: fc.constantFrom(...USERS) });
  const entry = fc.record({
    instanceId: fc.constantFrom('i-1', 'i-2'),
    userId: fc.constantFrom(...USERS),
    name: fc.constantFrom('Ann', 'Bob'),
    draggingCardId: fc.constantFrom(...CARDS),
  });
  const changes = fc.record({
    boardId: fc.constant('board-a'),
    set: fc.uniqueArray(entry, { selector: (e) => `${e.instanceId}/${e.userId}` }),
    gone: fc.uniqueArray(key, { selector: (k) => `${k.instanceId}/${k.userId}` }),
  });
  const start = fc.uniqueArray(entry, { selector: (e) => `${e.instanceId}/${e.userId}` });

  it('applying the merged frame equals applying the two in turn, from any list', () => {
    fc.assert(
      fc.property(start, changes, changes, (entries, earlier, later) => {
        // A frame of one tick never both sets and removes the same entry.
        const tick = (c: typeof earlier) => ({
          ...c,
          gone: c.gone.filter(
            (k) => !c.set.some((e) => e.instanceId === k.instanceId && e.userId === k.userId),
          ),
        });
        const [a, b] = [tick(earlier), tick(later)];
        const from = applyPresence(noPresence, { boardId: 'board-a', full: true, entries }, 'board-a');
        const inTurn = applyPresence(applyPresence(from, a, 'board-a'), b, 'board-a');
        expect(applyPresence(from, mergePresenceChanges(a, b), 'board-a')).toEqual(inTurn);
      }),
    );
  });
});
