/**
 * One attempt at one delivery: claim it (so two workers never send it at once), render it in the
 * target's format, sign it, POST it, and record the outcome. A failure worth retrying (timeout,
 * connection error, 408, 429, 5xx) throws, so the queue tries again later; any other failure, or
 * the last attempt, is final.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Notice, NotificationFormat } from '../../protocol/notifications.ts';
import type { Db } from '../infra/database.ts';
import type { SecretBox } from '../infra/secret-box.ts';
import { renderBody } from './formats.ts';
import type { DeliveryAttempt } from './queue.ts';
import * as repo from './repo.ts';
import { postNotification } from './sender.ts';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signatureHeader } from './signature.ts';

export interface DelivererDeps {
  db: Db;
  secrets: SecretBox;
  timeoutMs: number;
  allowPrivate: boolean;
  log: FastifyBaseLogger;
}

/** A retryable failure: the queue fails the job, and pg-boss retries it with backoff. */
export class RetryLater extends Error {
  override name = 'RetryLater';
}

export async function deliver(deps: DelivererDeps, { deliveryId, final }: DeliveryAttempt): Promise<void> {
  const { db } = deps;
  // The lease outlasts one attempt's timeout, so it ends only when the attempt's worker is gone.
  const claimed = await repo.claimDelivery(db, deliveryId, Math.ceil(deps.timeoutMs / 1000) + 30);
  if (!claimed) {
    // Held by an attempt still in its lease (one whose outcome could not be recorded, say): look
    // again later rather than leave it `sending`. Finished or gone: nothing to do.
    const row = await repo.findDelivery(db, deliveryId);
    if (row?.status === 'sending') throw new RetryLater('another attempt holds this delivery');
    return;
  }
  const { delivery, target } = claimed;
  if (!target.enabled) {
    await repo.finishAttempt(db, deliveryId, {
      status: 'failed',
      responseCode: null,
      error: 'the target was disabled before this could be sent',
    });
    return;
  }
  let secret: string;
  let routingKey: string | null;
  try {
    secret = deps.secrets.open(target.secret);
    routingKey = target.routing_key === null ? null : deps.secrets.open(target.routing_key);
  } catch (err) {
    await repo.finishAttempt(db, deliveryId, {
      status: 'failed',
      responseCode: null,
      error: (err as Error).message,
    });
    return;
  }
  const body = renderBody(target.format as NotificationFormat, {
    deliveryId,
    notice: delivery.notice as Notice,
    routingKey,
  });
  const outcome = await postNotification(
    target.url,
    body,
    {
      [SIGNATURE_HEADER]: signatureHeader(secret, body),
      [EVENT_HEADER]: delivery.kind,
      [DELIVERY_HEADER]: deliveryId,
    },
    { timeoutMs: deps.timeoutMs, allowPrivate: deps.allowPrivate },
  );
  if (outcome.delivered) {
    await repo.finishAttempt(db, deliveryId, {
      status: 'delivered',
      responseCode: outcome.status,
      error: null,
    });
    return;
  }
  const again = outcome.retry && !final;
  await repo.finishAttempt(db, deliveryId, {
    status: again ? 'retrying' : 'failed',
    responseCode: outcome.status,
    error: outcome.error,
  });
  deps.log.warn(
    { delivery: deliveryId, target: target.id, status: outcome.status, retry: again },
    `notification not delivered: ${outcome.error}`,
  );
  if (again) throw new RetryLater(outcome.error ?? 'not delivered');
}
