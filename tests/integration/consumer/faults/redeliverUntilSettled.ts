import { setTimeout as sleep } from 'node:timers/promises';
import type { SQSRecord } from 'aws-lambda';
import type { ConsumerHandler } from '../../../../lambda/consumer/createConsumerHandler.js';
import { defaultSettings } from '../../../../settings/serviceSettings.js';
import { lambdaContextFactory, sqsEventFactory } from '../../../helpers/factories.js';

/** How the simulated queue redelivers. */
export interface RedeliveryOptions {
  /** The Lambda timeout each invocation's context counts down from. */
  readonly functionTimeoutMs: number;
  /** Time between a failed receive and the next: the visibility timeout. */
  readonly visibilityTimeoutMs: number;
  /** Receives before the queue moves a message to the DLQ; default the service's setting. */
  readonly maxReceiveCount?: number;
}

/** Where every message ended. */
export interface RedeliveryResult {
  /** Message ids the consumer succeeded with (so the mapping deleted them). */
  readonly deleted: readonly string[];
  /** Records the queue moved to the DLQ after `maxReceiveCount` failed receives. */
  readonly deadLettered: readonly SQSRecord[];
  /** Receives per message id. */
  readonly receives: ReadonlyMap<string, number>;
}

/**
 * Redelivers like SQS with a redrive policy: every record the consumer reports failed comes back
 * after the visibility timeout with its receive count raised, until it succeeds or has been
 * received `maxReceiveCount` times, when it goes to the DLQ. The first delivery is the caller's;
 * this continues from its failures.
 */
export const redeliverUntilSettled = async (
  handler: ConsumerHandler,
  failed: readonly SQSRecord[],
  options: RedeliveryOptions,
): Promise<RedeliveryResult> => {
  const maxReceiveCount = options.maxReceiveCount ?? defaultSettings.maxReceiveCount;
  const receives = new Map<string, number>();
  const countOf = (record: SQSRecord) =>
    receives.get(record.messageId) ?? Number(record.attributes.ApproximateReceiveCount);
  const deleted: string[] = [];
  const deadLettered: SQSRecord[] = [];
  let pending = [...failed];
  for (const record of pending) receives.set(record.messageId, countOf(record));
  while (pending.length > 0) {
    const exhausted = pending.filter((record) => countOf(record) >= maxReceiveCount);
    deadLettered.push(...exhausted);
    pending = pending.filter((record) => countOf(record) < maxReceiveCount);
    if (pending.length === 0) break;
    await sleep(options.visibilityTimeoutMs);
    const batch = pending.map((record) => {
      const count = countOf(record) + 1;
      receives.set(record.messageId, count);
      return {
        ...record,
        attributes: { ...record.attributes, ApproximateReceiveCount: String(count) },
      };
    });
    const response = await handler(
      sqsEventFactory(batch),
      lambdaContextFactory(options.functionTimeoutMs),
    );
    const stillFailed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    deleted.push(...batch.filter((r) => !stillFailed.has(r.messageId)).map((r) => r.messageId));
    pending = batch.filter((record) => stillFailed.has(record.messageId));
  }
  return { deleted, deadLettered, receives };
};
