import { readFileSync } from 'node:fs';

/** The stack outputs the operator commands use, from a `cdk deploy --outputs-file` file. */
export interface DeployOutputs {
  readonly file: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl?: string;
  readonly healthUrl?: string;
  /** The consumer Lambda's name (`ConsumerFunctionName`), when the stack outputs it. */
  readonly consumerFunctionName?: string;
  /** The stack's `Region` output, when it has one. */
  readonly region?: string;
}

const DEAD_LETTER = /(dlq|deadletter).*url/i;
const QUEUE = /queue.*url/i;
const HEALTH = /health.*url/i;
const CONSUMER = /consumer.*function.*name/i;

/**
 * Finds the queue, DLQ and health URLs (and the consumer's name, the region) in an outputs file
 * (`{ "<Stack>": { "<Output>": "…" } }`).
 * Output names are matched by meaning (`QueueUrl`, `DeadLetterQueueUrl`/`DlqUrl`, `HealthUrl`,
 * with or without the prefix CDK adds inside a construct), so renaming a construct does not break
 * the commands. Returns `undefined` when the file is absent, unreadable or has no queue URL.
 */
export const readDeployOutputs = (
  file: string,
  readText: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): DeployOutputs | undefined => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readText(file));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const outputs: [string, string][] = [];
  for (const stack of Object.values(parsed)) {
    if (typeof stack !== 'object' || stack === null) continue;
    for (const [key, value] of Object.entries(stack)) {
      if (typeof value === 'string') outputs.push([key, value]);
    }
  }
  const find = (test: (key: string) => boolean) => outputs.find(([key]) => test(key))?.[1];
  const deadLetterQueueUrl = find((key) => DEAD_LETTER.test(key));
  const queueUrl = find((key) => QUEUE.test(key) && !DEAD_LETTER.test(key));
  const healthUrl = find((key) => HEALTH.test(key));
  const consumerFunctionName = find((key) => CONSUMER.test(key));
  const region = find((key) => key === 'Region');
  if (queueUrl === undefined) return undefined;
  return {
    file,
    queueUrl,
    ...(deadLetterQueueUrl === undefined ? {} : { deadLetterQueueUrl }),
    ...(healthUrl === undefined ? {} : { healthUrl }),
    ...(consumerFunctionName === undefined ? {} : { consumerFunctionName }),
    ...(region === undefined ? {} : { region }),
  };
};
