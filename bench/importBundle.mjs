// Runs inside a fresh Node process, as a Lambda cold start would: imports one bundled handler,
// then (consumer only) sends it batches. Prints one JSON line of timings. Used by bench/bench.ts.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const [bundle, batches = '0', batchSize = '10'] = process.argv.slice(2);
const started = performance.now();
const { handler } = await import(pathToFileURL(bundle).href);
const importMs = performance.now() - started;

const context = () => {
  const deadline = Date.now() + 30_000;
  return {
    awsRequestId: randomUUID(),
    functionName: 'order-consumer-bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:order-consumer-bench',
    memoryLimitInMB: '512',
    logGroupName: '/aws/lambda/bench',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
};
const record = () => ({
  messageId: randomUUID(),
  receiptHandle: randomUUID(),
  body: JSON.stringify({
    order_id: `BENCH-${randomUUID()}`,
    user_id: 'U-bench',
    items: [{ item_id: 'P1', quantity: 2, price: 25.0 }],
    total_amount: 50.0,
    timestamp: '2024-01-01T11:00:00Z',
  }),
  attributes: {},
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:order-queue',
  awsRegion: 'us-east-1',
});

const durations = [];
let failed = 0;
for (let i = 0; i < Number(batches); i++) {
  const event = { Records: Array.from({ length: Number(batchSize) }, record) };
  const t = performance.now();
  const response = await handler(event, context());
  durations.push(performance.now() - t);
  failed += response.batchItemFailures.length;
}
console.log(JSON.stringify({ importMs, durations, failed }));
process.exit(0);
