import { describe, expect, it } from 'vitest';
import { readDeployOutputs } from '../../../../local/commands/readDeployOutputs.js';

const fileWith = (content: unknown) => () => JSON.stringify(content);

describe('readDeployOutputs', () => {
  it('finds the queue, DLQ and health URLs and the consumer whatever the construct prefix', () => {
    // Act
    const outputs = readDeployOutputs(
      'cdk-outputs.json',
      fileWith({
        OrderProcessingStack: {
          OrdersQueueUrlA1B2: 'https://sqs/q',
          DeadLetterQueueUrl: 'https://sqs/dlq',
          HealthUrl: 'https://health/',
          DashboardName: 'orders',
          ConsumerFunctionName: 'OrderProcessing-ConsumerFunction1B0-F2C9',
          HealthFunctionName: 'OrderProcessing-HealthFunction64F-A2EF',
          Region: 'eu-west-1',
        },
      }),
    );

    // Assess
    expect(outputs).toEqual({
      file: 'cdk-outputs.json',
      queueUrl: 'https://sqs/q',
      deadLetterQueueUrl: 'https://sqs/dlq',
      healthUrl: 'https://health/',
      consumerFunctionName: 'OrderProcessing-ConsumerFunction1B0-F2C9',
      region: 'eu-west-1',
    });
  });

  it('recognises DlqUrl as the dead-letter queue', () => {
    // Act
    const outputs = readDeployOutputs(
      'f',
      fileWith({ S: { DlqUrl: 'https://sqs/dlq', QueueUrl: 'https://sqs/q' } }),
    );

    // Assess
    expect(outputs).toMatchObject({
      queueUrl: 'https://sqs/q',
      deadLetterQueueUrl: 'https://sqs/dlq',
    });
  });

  it('returns undefined for a missing, malformed or queue-less file', () => {
    // Act & Assess
    expect(
      readDeployOutputs('f', () => {
        throw new Error('ENOENT');
      }),
    ).toBeUndefined();
    expect(readDeployOutputs('f', () => '{not json')).toBeUndefined();
    expect(readDeployOutputs('f', fileWith({ S: { HealthUrl: 'x' } }))).toBeUndefined();
  });
});
