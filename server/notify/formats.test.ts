/** The wire formats, the release rule and the signature, without a database or a network. */
import { describe, expect, it } from 'vitest';
import type { BoardEventOf } from '../../protocol/events.ts';
import type { Notice } from '../../protocol/notifications.ts';
import type { Release } from '../../protocol/releases.ts';
import { envelope, pagerDutyEvent, renderBody, slackMessage } from './formats.ts';
import { releaseNotice, releaseNoticeKind, userActionsOf } from './release-notice.ts';
import { checkTargetUrl, isNonPublicAddress, outcomeOfStatus } from './sender.ts';
import { signatureHeader, verifySignature } from './signature.ts';

const BOARD = '11111111-1111-4111-8111-111111111111';

function aRelease(over: Record<string, unknown> = {}): Release {
  return {
    id: '22222222-2222-4222-8222-222222222222',
    boardId: BOARD,
    version: '2.3.0',
    targetDate: '2026-12-20',
    stream: 'development',
    notes: '',
    state: 'on_path',
    environments: ['test', 'production-shadow', 'production'],
    reached: 0,
    stop: null,
    firebreak: null,
    shadowUrl: null,
    readiness: [],
    approvers: [],
    verdicts: [],
    cardIds: [],
    liveAt: null,
    createdAt: '2026-12-01T10:00:00.000Z',
    revision: 2,
    ...over,
  } as unknown as Release;
}

function updated(
  release: Release,
  previousState: string | undefined,
  change = 'deployed',
): BoardEventOf<'release.updated'> {
  return {
    boardId: BOARD,
    seq: 7,
    type: 'release.updated',
    cardId: null,
    actor: { id: null, label: 'Pat <PO>' },
    at: '2026-12-04T09:00:00.000Z',
    payload: { release, change, ...(previousState === undefined ? {} : { previousState }) },
  };
}

const ctx = { boardName: 'Payments & Co', publicUrl: 'https://board.example.com/' };

describe('which release events notify', () => {
  it('tells of a state change, not of a change that keeps the state, and not of old events without the previous state', () => {
    expect(releaseNoticeKind(updated(aRelease(), 'planned'))).toBe('release.state_changed');
    expect(releaseNoticeKind(updated(aRelease(), 'on_path', 'scope'))).toBeNull();
    expect(releaseNoticeKind(updated(aRelease(), undefined))).toBeNull();
  });

  it('says what changed, with a link, and what users must do when the release says', () => {
    const n = releaseNotice(
      updated(aRelease({ state: 'stopped', userActions: 'Log out and in again.' }), 'on_path', 'stopped'),
      ctx,
    )!;
    expect(n).toMatchObject({
      kind: 'release.state_changed',
      severity: 'error',
      action: 'trigger',
      dedupKey: 'release:22222222-2222-4222-8222-222222222222',
      link: `https://board.example.com/boards/${BOARD}/releases/22222222-2222-4222-8222-222222222222`,
      release: {
        version: '2.3.0',
        state: 'stopped',
        previousState: 'on_path',
        change: 'stopped',
        userActions: 'Log out and in again.',
      },
    });
    expect(n.summary).toBe('Release 2.3.0 is stopped (was on the path to live)');
  });

  it('resolves the release’s alert when the line moves on again, and when it goes live', () => {
    expect(releaseNotice(updated(aRelease({ state: 'on_path' }), 'stopped'), ctx)!.action).toBe('resolve');
    expect(releaseNotice(updated(aRelease({ state: 'live' }), 'awaiting_go'), ctx)!.action).toBe('resolve');
  });

  it('says what users must do only when the release manager wrote it', () => {
    expect(userActionsOf(aRelease())).toBeNull();
    expect(userActionsOf(aRelease({ userActions: '  ' }))).toBeNull();
    expect(userActionsOf(aRelease({ userActions: ' Log out and in again. ' }))).toBe('Log out and in again.');
  });

  it('gives no link without PUBLIC_URL', () => {
    expect(
      releaseNotice(updated(aRelease(), 'planned'), { boardName: 'x', publicUrl: undefined })!.link,
    ).toBeNull();
  });
});

const notice = (): Notice =>
  releaseNotice(
    updated(aRelease({ state: 'stopped', userActions: 'Use <b>v2</b> & retry' }), 'on_path', 'stopped'),
    ctx,
  )!;

describe('the slack format (incoming webhook)', () => {
  it('carries a readable text for clients without blocks, and blocks with the release facts', () => {
    const m = slackMessage(notice());
    expect(m.text.split('\n')).toEqual([
      'Release 2.3.0 is stopped (was on the path to live)',
      'Target date: 2026-12-20',
      'Stream: development',
      'Change: stopped',
      'What users must do: Use <b>v2</b> & retry',
      `https://board.example.com/boards/${BOARD}/releases/22222222-2222-4222-8222-222222222222`,
      'Board: Payments & Co',
    ]);
    expect(m.blocks.map((b) => b.type)).toEqual(['section', 'section', 'section', 'actions', 'context']);
    expect(JSON.stringify(m.blocks[1])).toContain('*Version*\\n2.3.0');
    expect(JSON.stringify(m.blocks[1])).toContain('stopped (was on the path to live)');
    // mrkdwn control characters typed by users are escaped in blocks
    expect(JSON.stringify(m.blocks[2])).toContain('Use &lt;b&gt;v2&lt;/b&gt; &amp; retry');
    expect(m.blocks[3]).toEqual({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Open release' },
          url: `https://board.example.com/boards/${BOARD}/releases/22222222-2222-4222-8222-222222222222`,
        },
      ],
    });
    expect(JSON.stringify(m.blocks[4])).toContain('Payments &amp; Co · stopped · by Pat &lt;PO&gt;');
  });
});

describe('the pagerduty format (Events API v2)', () => {
  it('triggers with routing_key, dedup_key and a payload of summary, source and severity', () => {
    const e = pagerDutyEvent(notice(), 'R0UT1NGKEY');
    expect(e).toMatchObject({
      routing_key: 'R0UT1NGKEY',
      event_action: 'trigger',
      dedup_key: 'release:22222222-2222-4222-8222-222222222222',
      payload: {
        summary: 'Release 2.3.0 is stopped (was on the path to live)',
        source: 'blendboard:Payments & Co',
        severity: 'error',
        timestamp: '2026-12-04T09:00:00.000Z',
        component: '2.3.0',
        group: 'Payments & Co',
        class: 'release.state_changed',
      },
      links: [{ href: expect.stringContaining('/releases/'), text: 'Release 2.3.0' }],
    });
    expect(['critical', 'error', 'warning', 'info']).toContain(e.payload!.severity);
  });

  it('resolves by dedup_key alone', () => {
    const n = releaseNotice(updated(aRelease({ state: 'on_path' }), 'stopped'), ctx)!;
    expect(pagerDutyEvent(n, 'K')).toEqual({
      routing_key: 'K',
      event_action: 'resolve',
      dedup_key: 'release:22222222-2222-4222-8222-222222222222',
    });
  });

  it('keeps the summary within PagerDuty’s 1024 characters', () => {
    const long = { ...notice(), summary: 'x'.repeat(2000) };
    expect(pagerDutyEvent(long, 'K').payload!.summary).toHaveLength(1024);
  });
});

describe('the json format', () => {
  it('is the notice under the delivery id', () => {
    const n = notice();
    expect(JSON.parse(renderBody('json', { deliveryId: 'd-1', notice: n }))).toEqual({ id: 'd-1', ...n });
    expect(envelope({ deliveryId: 'd-1', notice: n }).id).toBe('d-1');
  });
});

describe('the signature', () => {
  const secret = 'bbn_secret';
  const body = '{"a":1}';
  const at = new Date('2026-12-04T09:00:00Z');

  it('is t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    const header = signatureHeader(secret, body, at);
    expect(header).toMatch(/^t=1796374800,v1=[0-9a-f]{64}$/);
    expect(verifySignature(secret, header, body, { now: at })).toBe(true);
  });

  it('fails for another secret, a changed body, a stale timestamp or garbage', () => {
    const header = signatureHeader(secret, body, at);
    expect(verifySignature('other', header, body, { now: at })).toBe(false);
    expect(verifySignature(secret, header, '{"a":2}', { now: at })).toBe(false);
    expect(verifySignature(secret, header, body, { now: new Date(at.getTime() + 301_000) })).toBe(false);
    expect(verifySignature(secret, 'v1=zz', body, { now: at })).toBe(false);
    expect(verifySignature(secret, undefined, body, { now: at })).toBe(false);
  });
});

describe('the URL rules and retry verdicts', () => {
  it('allows http(s) to public hosts only, unless private addresses are allowed', () => {
    expect(checkTargetUrl('https://hooks.slack.com/services/T/B/X', false)).toBe(
      'https://hooks.slack.com/services/T/B/X',
    );
    for (const bad of [
      'ftp://x.org/',
      'http://127.0.0.1/',
      'http://localhost:3000/',
      'http://[::ffff:10.0.0.1]/',
      'http://192.168.1.1/',
    ])
      expect(() => checkTargetUrl(bad, false), bad).toThrow(/url|http/);
    expect(checkTargetUrl('http://127.0.0.1:4000/hook', true)).toBe('http://127.0.0.1:4000/hook');
    expect(() => checkTargetUrl('gopher://127.0.0.1/', true)).toThrow();
  });

  it('knows non-public addresses', () => {
    for (const a of [
      '10.0.0.1',
      '172.20.1.1',
      '169.254.169.254',
      '::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '100.64.0.1',
    ])
      expect(isNonPublicAddress(a), a).toBe(true);
    for (const a of ['93.184.216.34', '2606:4700::1111']) expect(isNonPublicAddress(a), a).toBe(false);
  });

  it('retries 5xx, 408 and 429, not other 4xx', () => {
    expect(outcomeOfStatus(200, '').delivered).toBe(true);
    expect(outcomeOfStatus(503, 'busy')).toMatchObject({
      delivered: false,
      retry: true,
      error: 'HTTP 503: busy',
    });
    expect(outcomeOfStatus(429, '').retry).toBe(true);
    expect(outcomeOfStatus(408, '').retry).toBe(true);
    expect(outcomeOfStatus(400, '').retry).toBe(false);
    expect(outcomeOfStatus(404, '').retry).toBe(false);
    expect(outcomeOfStatus(301, '').retry).toBe(false);
  });
});
