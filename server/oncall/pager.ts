/**
 * Where a page goes out. The escalation engine records each page as an `oncall.paged` board event
 * (exactly once) and then hands it to a Pager; outgoing notifications (JSON, Slack, PagerDuty
 * Events v2) implement this interface. `dedupKey` is the same for every retry of one step, so a
 * receiver that deduplicates (PagerDuty does) shows one alert. `page` is called after the commit:
 * a process that dies between the two has recorded the page but not sent it, so an implementation
 * that must never miss one queues it durably (e.g. an outbox) rather than sending inline.
 */
export interface Page {
  boardId: string;
  cardId: string;
  cardKey: string;
  title: string;
  priority: string;
  step: number;
  /** null when the step found nobody on duty */
  who: { userId: string; name: string } | null;
  dedupKey: string;
  at: Date;
}

export interface Pager {
  page(page: Page): Promise<void>;
}

/** The default: a log line per page. */
export class LogPager implements Pager {
  constructor(private readonly log: { info(obj: object, msg: string): void }) {}
  async page(page: Page): Promise<void> {
    this.log.info(
      { page },
      `on-call page: ${page.cardKey} step ${page.step + 1} → ${page.who?.name ?? 'nobody'}`,
    );
  }
}
