import { describe, expect, it } from 'vitest';
import { roleAllows } from './permissions.ts';

describe('board roles', () => {
  it('lets a viewer read and nothing else', () => {
    expect(roleAllows('viewer', 'board:read')).toBe(true);
    for (const p of [
      'card:create',
      'card:edit',
      'card:move',
      'card:delete',
      'card:comment',
      'sprint:manage',
    ] as const) {
      expect(roleAllows('viewer', p)).toBe(false);
    }
  });

  it('lets developers and AMS engineers work cards but not delete them or hand them between streams', () => {
    for (const role of ['developer', 'maintenance'] as const) {
      expect(roleAllows(role, 'card:move')).toBe(true);
      expect(roleAllows(role, 'card:edit')).toBe(true);
      expect(roleAllows(role, 'card:delete')).toBe(false);
      expect(roleAllows(role, 'card:change_stream')).toBe(false);
    }
  });

  it('lets the product owner move items between streams and run sprints, but not manage members', () => {
    expect(roleAllows('product_owner', 'card:change_stream')).toBe(true);
    expect(roleAllows('product_owner', 'sprint:manage')).toBe(true);
    expect(roleAllows('product_owner', 'member:manage')).toBe(false);
    expect(roleAllows('admin', 'member:manage')).toBe(true);
  });

  it('lets only admins and product owners configure columns and integrations', () => {
    for (const role of ['admin', 'product_owner'] as const) {
      expect(roleAllows(role, 'board:manage')).toBe(true);
      expect(roleAllows(role, 'plugin:manage')).toBe(true);
    }
    for (const role of ['developer', 'maintenance', 'viewer'] as const) {
      expect(roleAllows(role, 'board:manage')).toBe(false);
      expect(roleAllows(role, 'plugin:manage')).toBe(false);
    }
  });

  it('lets the AMS lead (maintenance, admin) accept a handover, never a developer or product owner', () => {
    for (const role of ['maintenance', 'admin'] as const)
      expect(roleAllows(role, 'handover:accept')).toBe(true);
    for (const role of ['developer', 'product_owner', 'viewer'] as const)
      expect(roleAllows(role, 'handover:accept')).toBe(false);
    for (const role of ['developer', 'product_owner', 'admin'] as const)
      expect(roleAllows(role, 'hypercare:work')).toBe(true);
    expect(roleAllows('developer', 'hypercare:decide')).toBe(false);
  });

  it("lets only admins and product owners say who may use the board's request portal", () => {
    expect(roleAllows('admin', 'requester:manage')).toBe(true);
    expect(roleAllows('product_owner', 'requester:manage')).toBe(true);
    for (const role of ['developer', 'maintenance', 'viewer'] as const)
      expect(roleAllows(role, 'requester:manage')).toBe(false);
  });
});

describe('review and improve', () => {
  it('lets product owners, admins and AMS leads run it, developers work the items they own, viewers read', () => {
    for (const role of ['admin', 'product_owner', 'maintenance'] as const)
      expect(roleAllows(role, 'improvement:manage')).toBe(true);
    expect(roleAllows('developer', 'improvement:manage')).toBe(false);
    expect(roleAllows('developer', 'improvement:work_own')).toBe(true);
    expect(roleAllows('viewer', 'improvement:manage')).toBe(false);
    expect(roleAllows('viewer', 'improvement:work_own')).toBe(false);
  });
});
