import { describe, expect, it } from 'vitest';
import { boardPath, parseRoute, portalPath, releasePath, withCard } from './router.svelte.ts';

const board = '0b6a1f7e-5d1c-4c3e-9f1a-2b3c4d5e6f70';
const release = '9a8b7c6d-1e2f-4a3b-8c9d-0e1f2a3b4c5d';

describe('the board routes', () => {
  it('the releases view and one release have their own URLs', () => {
    expect(parseRoute(boardPath(board, 'releases'))).toEqual({
      name: 'board',
      boardId: board,
      view: 'releases',
    });
    expect(parseRoute(releasePath(board, release))).toEqual({
      name: 'board',
      boardId: board,
      view: 'releases',
      releaseId: release,
    });
  });

  it('an id after another view is not a release page', () => {
    expect(parseRoute(`/boards/${board}/kanban/${release}`)).toEqual({
      name: 'board',
      boardId: board,
      view: 'kanban',
    });
    expect(parseRoute(`/boards/${board}`)).toEqual({ name: 'board', boardId: board, view: 'backlog' });
  });
});

describe('request portal routes', () => {
  it('reads a portal and one of its requests, and writes them back', () => {
    expect(parseRoute(portalPath(board))).toEqual({ name: 'portal', boardId: board, requestId: null });
    expect(parseRoute(portalPath(board, release))).toEqual({
      name: 'portal',
      boardId: board,
      requestId: release,
    });
    expect(parseRoute('/portal/not-a-board')).toEqual({ name: 'boards' });
  });
});

describe('the card in the URL', () => {
  it('any board view carries the open card’s key', () => {
    expect(parseRoute(`/boards/${board}/kanban`, '?card=ops-12')).toEqual({
      name: 'board',
      boardId: board,
      view: 'kanban',
      cardKey: 'OPS-12',
    });
    expect(parseRoute(`/boards/${board}`, '?card=not a key')).toEqual({
      name: 'board',
      boardId: board,
      view: 'backlog',
    });
  });

  it('withCard adds, replaces and removes the card, keeping the rest of the path', () => {
    expect(withCard(`/boards/${board}/sprint`, 'OPS-3')).toBe(`/boards/${board}/sprint?card=OPS-3`);
    expect(withCard(`/boards/${board}/sprint?card=OPS-3`, 'OPS-4')).toBe(
      `/boards/${board}/sprint?card=OPS-4`,
    );
    expect(withCard(`/boards/${board}/sprint?card=OPS-3`, null)).toBe(`/boards/${board}/sprint`);
  });
});
