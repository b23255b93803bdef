import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { deadLetterOf, uniqueDeadLetters } from '../commands/deadLetters.js';

/**
 * Reads the body of every message in the DLQ at the end of a run, once per original message
 * (the consumer may have left two copies of one): each is received once and hidden for
 * `hideSeconds`, so none is counted twice. Nothing is deleted.
 */
export const readDeadLetterBodies = async (
  sqs: SQSClient,
  queueUrl: string,
  hideSeconds = 600,
): Promise<string[]> => {
  const letters: ReturnType<typeof deadLetterOf>[] = [];
  for (let empty = 0; empty < 2; ) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: hideSeconds,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) empty++;
    else empty = 0;
    letters.push(...Messages.map(deadLetterOf));
  }
  return uniqueDeadLetters(letters).map(({ letter }) => letter.body);
};
