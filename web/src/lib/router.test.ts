import { describe, expect, it } from 'vitest';
import { boardPath, parseRoute, portalPath, releasePath } from './router.svelte.ts';

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
