import { randomBytes } from 'node:crypto';
import { parseCliArguments, positiveNumberOption, wholeNumberOption } from '../cli/cliArguments.js';
import { UsageError } from '../cli/errors.js';
import { runCli } from '../cli/runCli.js';
import { planMessages } from './generateOrderEvents.js';
import { openSqsTarget } from './openSqsTarget.js';
import { ProgressBar } from './ProgressBar.js';
import { resolveSqsTarget } from './resolveSqsTarget.js';
import { sendMessageBatches } from './sendMessageBatches.js';

const HELP = `Usage: npm run send -- --count N [--invalid K] [--duplicates D] [--conflicts C] [--rate R]

Sends N new valid orders, K invalid messages, D resends of orders sent in this run and C orders
reusing an earlier order_id with other content, in batches of 10, in a shuffled order.

  --count N        new orders (required, 0 or more)
  --invalid K      invalid bodies: broken JSON, missing fields, bad amounts… (default 0)
  --duplicates D   resends of this run's orders, stored once (default 0)
  --conflicts C    this run's order ids with a different total: rejected as conflicts (default 0)
  --rate R         messages per second at most (default: as fast as the endpoint takes them)

Target: QUEUE_URL, else AWS_ENDPOINT_URL, else a running \`npm run dev\`, else
cdk-outputs.local.json (LocalStack), else cdk-outputs.json (AWS), else http://localhost:4566.`;

const MAX = 1_000_000;

const main = async (): Promise<number> => {
  const { values } = parseCliArguments(
    process.argv.slice(2),
    {
      count: { type: 'string' },
      invalid: { type: 'string' },
      duplicates: { type: 'string' },
      conflicts: { type: 'string' },
      rate: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    'npm run send -- --help',
  );
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (values.count === undefined) {
    throw new UsageError('--count is required, e.g. npm run send -- --count 100');
  }
  const range = { min: 0, max: MAX };
  const count = wholeNumberOption('count', values.count, 0, range);
  const invalid = wholeNumberOption('invalid', values.invalid, 0, range);
  const duplicates = wholeNumberOption('duplicates', values.duplicates, 0, range);
  const conflicts = wholeNumberOption('conflicts', values.conflicts, 0, range);
  const rate = positiveNumberOption('rate', values.rate);
  if (count === 0 && duplicates + conflicts > 0) {
    throw new UsageError(
      '--duplicates and --conflicts resend orders of this run: give --count 1 or more',
    );
  }

  const target = resolveSqsTarget({ env: process.env });
  process.stderr.write(`Target: ${target.description}\n`);
  const sqsTarget = await openSqsTarget(target);
  const runId = randomBytes(3).toString('hex');
  const plan = planMessages({ count, invalid, duplicates, conflicts, runId });
  const bar = new ProgressBar({ total: plan.length, stream: process.stderr, label: 'sending' });
  const started = Date.now();
  const result = await sendMessageBatches({
    sqs: sqsTarget.sqs,
    queueUrl: sqsTarget.queueUrl,
    bodies: plan.map((message) => message.body),
    ...(rate === undefined ? {} : { rate }),
    onProgress: (sent) => bar.update(sent),
  })
    .catch((error: unknown) => {
      process.stderr.write('\n');
      throw sqsTarget.explain(error);
    })
    .finally(() => sqsTarget.sqs.destroy());
  bar.finish(result.sent);

  const seconds = (Date.now() - started) / 1000;
  const failedKinds = new Map<string, number>();
  for (const failure of result.failures) {
    const kind = plan[failure.index]?.kind ?? 'unknown';
    failedKinds.set(kind, (failedKinds.get(kind) ?? 0) + 1);
  }
  const line = (label: string, value: number, note: string) =>
    `${`  ${label.padEnd(12)} ${String(value).padStart(8)}  ${note}`.trimEnd()}\n`;
  process.stdout.write(
    `Sent ${result.sent} of ${plan.length} messages to ${sqsTarget.queueUrl} in ${seconds.toFixed(1)} s (${Math.round(
      result.sent / Math.max(seconds, 0.001),
    )}/s), order ids ORD-${runId}-*\n` +
      line('new orders', count, 'each stored once') +
      line(
        'invalid',
        invalid,
        'rejected; in the DLQ with their reason (at once, or after maxReceiveCount receives with POISON_MESSAGES=redrive)',
      ) +
      line('duplicates', duplicates, 'resends of orders above; no second document') +
      (conflicts > 0
        ? line('conflicts', conflicts, 'same order_id, other total; rejected, in the DLQ')
        : '') +
      line(
        'failed',
        result.failures.length,
        result.failures.length === 0
          ? ''
          : `not accepted by SQS: ${[...failedKinds].map(([k, n]) => `${n} ${k}`).join(', ')} (codes: ${[
              ...new Set(result.failures.map((f) => f.code)),
            ].join(', ')})`,
      ),
  );
  return result.failures.length === 0 ? 0 : 1;
};

runCli('send', main);
