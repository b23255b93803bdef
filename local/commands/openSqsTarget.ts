import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SQSClient,
  type SQSClientConfig,
} from '@aws-sdk/client-sqs';
import { EndpointError } from '../cli/errors.js';
import { describeSqsError, type SqsErrorContext } from './describeSqsError.js';
import type { QueueRef, SqsTarget } from './resolveSqsTarget.js';

/** A target with its client made and its queue URLs known. */
export interface OpenSqsTarget {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** Resolves the DLQ's URL (given, or from the queue's redrive policy). */
  deadLetterQueueUrl(): Promise<string>;
  /** Maps an SDK error to a one-line {@link EndpointError} naming this target. */
  explain(error: unknown): Error;
}

const queueName = (arn: string): string => arn.split(':').pop() ?? arn;

/**
 * Creates the SQS client for a target and looks its queue up. Connecting is bounded (3 s) so an
 * endpoint that swallows packets fails as fast as one that refuses them.
 */
export const openSqsTarget = async (
  target: SqsTarget,
  createClient: (config: SQSClientConfig) => SQSClient = (config) => new SQSClient(config),
): Promise<OpenSqsTarget> => {
  const sqs = createClient({
    ...(target.endpoint === undefined ? {} : { endpoint: target.endpoint }),
    ...(target.region === undefined ? {} : { region: target.region }),
    ...(target.useTestCredentials
      ? { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }
      : {}),
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 30_000 },
  });
  const context: SqsErrorContext = {
    endpoint: target.endpoint ?? `AWS${target.region === undefined ? '' : ` (${target.region})`}`,
    unreachableHint: target.unreachableHint,
  };
  const explain = (error: unknown) => describeSqsError(error, context);
  const urlOf = async (queue: QueueRef): Promise<string> => {
    if ('url' in queue) return queue.url;
    try {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue.name }));
      if (QueueUrl === undefined) throw new EndpointError(`No URL for queue ${queue.name}`);
      return QueueUrl;
    } catch (error) {
      if ((error as { name?: string }).name === 'QueueDoesNotExist') {
        throw new EndpointError(
          `No queue named ${queue.name} at ${context.endpoint}. ${target.unreachableHint}`,
        );
      }
      throw explain(error);
    }
  };
  try {
    const queueUrl = await urlOf(target.queue);
    let deadLetter: Promise<string> | undefined;
    return {
      sqs,
      queueUrl,
      explain,
      deadLetterQueueUrl: () => {
        deadLetter ??= (async () => {
          if (target.deadLetterQueue !== undefined) return urlOf(target.deadLetterQueue);
          const { Attributes } = await sqs
            .send(
              new GetQueueAttributesCommand({
                QueueUrl: queueUrl,
                AttributeNames: ['RedrivePolicy'],
              }),
            )
            .catch((error: unknown) => {
              throw explain(error);
            });
          const policy = Attributes?.RedrivePolicy;
          const arn =
            policy === undefined
              ? undefined
              : (JSON.parse(policy) as { deadLetterTargetArn?: string }).deadLetterTargetArn;
          if (arn === undefined) {
            throw new EndpointError(
              'The queue has no redrive policy, so it has no DLQ; set DLQ_URL to name one.',
            );
          }
          return urlOf({ name: queueName(arn) });
        })();
        return deadLetter;
      },
    };
  } catch (error) {
    sqs.destroy();
    throw error;
  }
};
