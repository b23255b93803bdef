import type { SQSRecord } from 'aws-lambda';
import type { FaultMode } from '../../../../local/faults/FaultProxy.js';
import { defaultSettings } from '../../../../settings/serviceSettings.js';
import {
  lambdaContextFactory,
  orderEventFactory,
  sqsEventFactory,
  sqsRecordFactory,
} from '../../../helpers/factories.js';
import type { ProxiedConsumer } from '../faults/startProxiedConsumer.js';

/** The consumer's Lambda timeout as deployed: the scenarios run with the time it really has. */
export const INVOCATION_MS = defaultSettings.consumerTimeoutSeconds * 1_000;

/** A batch of `size` new orders, as the event source mapping delivers it. */
export const newOrderBatch = (size = 10) => {
  const events = Array.from({ length: size }, () => orderEventFactory());
  const records: SQSRecord[] = events.map((event) => sqsRecordFactory(event));
  return { ids: events.map((event) => String(event.order_id)), records };
};

/** Invokes the consumer with `records` and the full invocation time; notes how long it took. */
export const invoke = async (consumer: ProxiedConsumer, records: readonly SQSRecord[]) => {
  const started = Date.now();
  const response = await consumer.handler(
    sqsEventFactory([...records]),
    lambdaContextFactory(INVOCATION_MS),
  );
  return { response, tookMs: Date.now() - started };
};

/** A warm container: one order stored, so the pool holds connections the fault will break. */
export const warmUp = async (consumer: ProxiedConsumer): Promise<void> => {
  const { response } = await invoke(consumer, [sqsRecordFactory(orderEventFactory())]);
  if (response.batchItemFailures.length > 0) throw new Error('the warm-up order was not stored');
};

/** Puts the proxy in `mode` for `ms`, then back to `pass`. Resolves when it is back. */
const faultFor = async (consumer: ProxiedConsumer, mode: FaultMode, ms: number) => {
  await consumer.proxy.setMode(mode);
  return new Promise<void>((resolve) => {
    setTimeout(() => void consumer.proxy.setMode({ kind: 'pass' }).then(resolve), ms);
  });
};

/**
 * The primary goes away for `ms`, as in an election: open connections are dropped and new ones
 * refused until a primary is back. Resolves when it is.
 */
export const primaryGoneFor = async (consumer: ProxiedConsumer, ms: number) => {
  const back = faultFor(consumer, { kind: 'refuse' }, ms);
  consumer.proxy.resetAll();
  return back;
};

/** The server throttles every write for `ms`, advising `retryAfterMs`. Resolves when it stops. */
export const throttledFor = (consumer: ProxiedConsumer, ms: number, retryAfterMs: number) =>
  faultFor(consumer, { kind: 'throttle', retryAfterMs }, ms);
