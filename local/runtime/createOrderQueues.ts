import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { LocalSettings } from './localSettings.js';

/** The two queues of the service, as created. */
export interface OrderQueues {
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly deadLetterQueueUrl: string;
  readonly deadLetterQueueArn: string;
}

const arnOf = async (sqs: SQSClient, queueUrl: string): Promise<string> => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (arn === undefined) throw new Error(`The SQS endpoint returned no QueueArn for ${queueUrl}`);
  return arn;
};

const urlOf = (url: string | undefined, name: string): string => {
  if (url === undefined) throw new Error(`The SQS endpoint returned no QueueUrl for ${name}`);
  return url;
};

/**
 * Creates the DLQ and the main queue through the SQS API, as the stack declares them: the main
 * queue's visibility timeout and redrive policy (`maxReceiveCount`) come from the settings, and the
 * DLQ keeps messages as long as SQS allows. The queue, not the consumer, moves a message to the
 * DLQ. CreateQueue is idempotent for equal attributes, so a restart on a kept endpoint is fine.
 */
export const createOrderQueues = async (
  sqs: SQSClient,
  settings: Pick<
    LocalSettings,
    | 'queueName'
    | 'deadLetterQueueName'
    | 'visibilityTimeoutSeconds'
    | 'maxReceiveCount'
    | 'deadLetterRetentionSeconds'
  >,
): Promise<OrderQueues> => {
  const deadLetterQueueUrl = urlOf(
    (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: settings.deadLetterQueueName,
          Attributes: { MessageRetentionPeriod: String(settings.deadLetterRetentionSeconds) },
        }),
      )
    ).QueueUrl,
    settings.deadLetterQueueName,
  );
  const deadLetterQueueArn = await arnOf(sqs, deadLetterQueueUrl);
  const queueUrl = urlOf(
    (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: settings.queueName,
          Attributes: {
            VisibilityTimeout: String(settings.visibilityTimeoutSeconds),
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: deadLetterQueueArn,
              maxReceiveCount: settings.maxReceiveCount,
            }),
          },
        }),
      )
    ).QueueUrl,
    settings.queueName,
  );
  return { queueUrl, queueArn: await arnOf(sqs, queueUrl), deadLetterQueueUrl, deadLetterQueueArn };
};
