import { createInterface } from 'node:readline/promises';
import { GetQueueAttributesCommand, PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { MongoClient } from 'mongodb';
import { parseCliArguments, wholeNumberOption } from '../cli/cliArguments.js';
import { EndpointError, UsageError } from '../cli/errors.js';
import { mongoHostOf } from '../cli/mongoHostOf.js';
import { runCli } from '../cli/runCli.js';
import { deadLetterOf, uniqueDeadLetters } from './deadLetters.js';
import { type MongoTarget, readDeployedMongo } from './deployedMongo.js';
import {
  type DeadLetterExplanation,
  describeExplanation,
  explainDeadLetter,
  type StoredOrderLookup,
} from './explainDeadLetter.js';
import { type OpenSqsTarget, openSqsTarget } from './openSqsTarget.js';
import { peekQueue } from './peekQueue.js';
import { redriveDeadLetters } from './redriveDeadLetters.js';
import { resolveSqsTarget, type SqsTarget } from './resolveSqsTarget.js';

const HELP = `Usage: npm run dlq -- <command> [options]

Commands:
  list [--json] [--max N]   each DLQ message with why it failed (default at most 1000)
  redrive [--move-task]     move every DLQ message back to the order queue, without its
                            dead-letter reason (--move-task: SQS's own move, which keeps it)
  purge [--yes]             delete every DLQ message (asks first; --yes skips the question)

list shows the reason the consumer attached (DeadLetter.* message attributes). For a message
the queue's redrive moved (no reason attached) it recomputes one with the consumer's contract,
and reads the stored order from MongoDB to tell a conflict from a passing failure: MONGO_URI and
MONGO_DB_NAME, or those of a running \`npm run dev\`, or those the consumer of a local deployment
(cdk-outputs.local.json) is configured with. Copies of one message are listed once.

Target: QUEUE_URL/DLQ_URL, else AWS_ENDPOINT_URL, else a running \`npm run dev\`, else
cdk-outputs.local.json (LocalStack), else cdk-outputs.json (AWS), else http://localhost:4566.`;

const depth = async (target: OpenSqsTarget, queueUrl: string): Promise<number> => {
  const { Attributes } = await target.sqs
    .send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    )
    .catch((error: unknown) => {
      throw target.explain(error);
    });
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
};

/** The MongoDB of the target: its own, else the one the deployed consumer is configured with. */
const mongoOf = async (target: SqsTarget): Promise<MongoTarget | string> => {
  if (target.mongo !== undefined) return target.mongo;
  if (target.deployedConsumer === undefined || target.endpoint === undefined) {
    return 'MONGO_URI is not set: valid orders cannot be checked for conflicts';
  }
  return readDeployedMongo({
    endpoint: target.endpoint,
    region: target.region ?? 'us-east-1',
    functionName: target.deployedConsumer,
    env: process.env,
  }).catch(
    (error: Error) =>
      `the deployed consumer's MongoDB URI could not be read (${error.name}): set MONGO_URI to compare valid orders with the stored ones`,
  );
};

/** Opens MongoDB for the conflict check; says why not, and goes on without it, when it cannot. */
const openOrders = async (
  target: SqsTarget,
): Promise<{ lookup?: StoredOrderLookup; note: string; close: () => Promise<void> }> => {
  const mongo = await mongoOf(target);
  if (typeof mongo === 'string') return { note: mongo, close: async () => undefined };
  const { uri, databaseName } = mongo;
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 3_000, connectTimeoutMS: 3_000 });
  try {
    await client.db(databaseName).command({ ping: 1 });
  } catch {
    await client.close();
    return {
      note: `no MongoDB answers at ${mongoHostOf(uri)}: valid orders cannot be checked for conflicts`,
      close: async () => undefined,
    };
  }
  const orders = client.db(databaseName).collection<{ _id: string }>('orders');
  return {
    lookup: (orderId) => orders.findOne({ _id: orderId }),
    note: `orders compared with MongoDB ${mongoHostOf(uri)}, database ${databaseName}`,
    close: () => client.close(),
  };
};

const list = async (target: SqsTarget, args: string[]): Promise<number> => {
  const { values } = parseCliArguments(
    args,
    { json: { type: 'boolean' }, max: { type: 'string' } },
    'npm run dlq -- --help',
  );
  const max = wholeNumberOption('max', values.max, 1_000, { min: 1, max: 100_000 });
  const sqsTarget = await openSqsTarget(target);
  const orders = await openOrders(target);
  try {
    const deadLetterQueueUrl = await sqsTarget.deadLetterQueueUrl();
    const messages = await peekQueue({
      sqs: sqsTarget.sqs,
      queueUrl: deadLetterQueueUrl,
      max,
    }).catch((error: unknown) => {
      throw sqsTarget.explain(error);
    });
    const explained: {
      id: string;
      sent: string;
      copies: number;
      attached: boolean;
      why: DeadLetterExplanation;
    }[] = [];
    for (const { letter, copies } of uniqueDeadLetters(messages.map(deadLetterOf))) {
      explained.push({
        id: letter.originalMessageId,
        sent: letter.attached?.time ?? letter.sentAt ?? '?',
        copies,
        attached: letter.attached !== undefined,
        why:
          letter.attached === undefined
            ? await explainDeadLetter(letter.body, orders.lookup)
            : {
                reason: 'attached',
                code: letter.attached.reason,
                detail: letter.attached.detail,
                ...(letter.attached.orderId === undefined
                  ? {}
                  : { orderId: letter.attached.orderId }),
              },
      });
    }
    explained.sort((a, b) => a.sent.localeCompare(b.sent));
    if (values.json) {
      for (const entry of explained) {
        process.stdout.write(
          `${JSON.stringify({
            originalMessageId: entry.id,
            at: entry.sent,
            copies: entry.copies,
            attached: entry.attached,
            // An attached reason is reported by its code, as a recomputed one is.
            ...(entry.why.reason === 'attached'
              ? { reason: entry.why.code, detail: entry.why.detail, orderId: entry.why.orderId }
              : entry.why),
          })}\n`,
        );
      }
      return 0;
    }
    const out: string[] = [
      `DLQ ${deadLetterQueueUrl}: ${explained.length} message${explained.length === 1 ? '' : 's'}${
        messages.length === max ? ` (stopped at --max ${max})` : ''
      }${explained.every((entry) => entry.attached) ? '' : `; ${orders.note}`}.`,
    ];
    explained.forEach((entry, index) => {
      out.push(
        `${String(index + 1).padStart(3)}. ${entry.id}  ${entry.attached ? 'dead-lettered' : 'sent'} ${entry.sent}${
          'orderId' in entry.why && entry.why.orderId !== undefined
            ? `  order ${entry.why.orderId}`
            : ''
        }${entry.copies > 1 ? `  (${entry.copies} copies)` : ''}`,
        `     ${describeExplanation(entry.why)}`,
      );
    });
    const counts = new Map<string, number>();
    for (const { why } of explained) {
      const reason = why.reason === 'attached' ? why.code : why.reason;
      counts.set(reason, (counts.get(reason) ?? 0) + 1);
    }
    if (explained.length > 0) {
      out.push(`By reason: ${[...counts].map(([reason, n]) => `${reason} ${n}`).join(', ')}.`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
    return 0;
  } finally {
    sqsTarget.sqs.destroy();
    await orders.close();
  }
};

const redrive = async (target: SqsTarget, args: string[]): Promise<number> => {
  const { values } = parseCliArguments(
    args,
    { 'move-task': { type: 'boolean' } },
    'npm run dlq -- --help',
  );
  const sqsTarget = await openSqsTarget(target);
  try {
    const deadLetterQueueUrl = await sqsTarget.deadLetterQueueUrl();
    const waiting = await depth(sqsTarget, deadLetterQueueUrl);
    const result = await redriveDeadLetters({
      sqs: sqsTarget.sqs,
      deadLetterQueueUrl,
      queueUrl: sqsTarget.queueUrl,
      moveTask: values['move-task'] ?? false,
    }).catch((error: unknown) => {
      throw sqsTarget.explain(error);
    });
    process.stdout.write(
      `Moved ${result.moved} message${result.moved === 1 ? '' : 's'} (of about ${waiting}) from ${deadLetterQueueUrl} back to ${sqsTarget.queueUrl} ` +
        `(${result.method === 'message-move-task' ? 'SQS message move task' : 'receive, send, then delete'})` +
        `${result.failed > 0 ? `; ${result.failed} could not be sent and stay in the DLQ` : ''}.\n`,
    );
    return result.failed > 0 ? 1 : 0;
  } finally {
    sqsTarget.sqs.destroy();
  }
};

const confirm = async (question: string): Promise<boolean> => {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
};

const purge = async (target: SqsTarget, args: string[]): Promise<number> => {
  const { values } = parseCliArguments(
    args,
    { yes: { type: 'boolean', short: 'y' } },
    'npm run dlq -- --help',
  );
  if (!values.yes && !process.stdin.isTTY) {
    throw new UsageError(
      'purge deletes every DLQ message: pass --yes, as there is no terminal to ask',
    );
  }
  const sqsTarget = await openSqsTarget(target);
  try {
    const deadLetterQueueUrl = await sqsTarget.deadLetterQueueUrl();
    const waiting = await depth(sqsTarget, deadLetterQueueUrl);
    if (
      !values.yes &&
      !(await confirm(
        `Delete all ${waiting} message${waiting === 1 ? '' : 's'} of ${deadLetterQueueUrl}? This cannot be undone. [y/N] `,
      ))
    ) {
      process.stdout.write('Nothing deleted.\n');
      return 1;
    }
    await sqsTarget.sqs
      .send(new PurgeQueueCommand({ QueueUrl: deadLetterQueueUrl }))
      .catch((error: unknown) => {
        if ((error as { name?: string }).name === 'PurgeQueueInProgress') {
          throw new EndpointError(
            'A purge of this queue is already in progress (SQS allows one per 60 s).',
          );
        }
        throw sqsTarget.explain(error);
      });
    process.stdout.write(`Purged ${deadLetterQueueUrl} (about ${waiting} messages).\n`);
    return 0;
  } finally {
    sqsTarget.sqs.destroy();
  }
};

const COMMANDS = { list, redrive, purge } as const;

const main = async (): Promise<number> => {
  const [command, ...rest] = process.argv.slice(2);
  if (command === undefined) {
    process.stderr.write(`${HELP}\n`);
    return 2;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (!Object.hasOwn(COMMANDS, command)) {
    throw new UsageError(`unknown command ${command}; expected list, redrive or purge`);
  }
  const target = resolveSqsTarget({ env: process.env });
  process.stderr.write(`Target: ${target.description}\n`);
  return COMMANDS[command as keyof typeof COMMANDS](target, rest);
};

runCli('dlq', main);
