import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * Reads the body of every message in a queue (the DLQ, at the end of a run): each is received
 * once and hidden for `hideSeconds`, so none is counted twice. Nothing is deleted.
 */
export const readDeadLetterBodies = async (
  sqs: SQSClient,
  queueUrl: string,
  hideSeconds = 600,
): Promise<string[]> => {
  const bodies: string[] = [];
  for (let empty = 0; empty < 2; ) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: hideSeconds,
        WaitTimeSeconds: 0,
      }),
    );
    if (Messages.length === 0) empty++;
    else empty = 0;
    bodies.push(...Messages.map((message) => message.Body ?? ''));
  }
  return bodies;
};
