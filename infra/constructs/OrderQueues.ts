import { Duration } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  type OrderServiceSettings,
  visibilityTimeoutSeconds,
} from '../../settings/serviceSettings.js';

/** The settings the queues are made from. */
export type OrderQueuesProps = Pick<
  OrderServiceSettings,
  | 'queueName'
  | 'deadLetterQueueName'
  | 'consumerTimeoutSeconds'
  | 'maxBatchingWindowSeconds'
  | 'maxReceiveCount'
  | 'deadLetterRetentionSeconds'
> & {
  /** A customer-managed key for both queues (SSE-KMS); default SSE-SQS. */
  readonly encryptionKey?: IKey;
};

/**
 * The order queue and its dead-letter queue: SSE with SQS-managed keys (or the given key), a
 * policy denying any request not made over TLS, the DLQ keeping messages for the SQS maximum of 14
 * days (longer than the main queue, as SQS keeps a message's original enqueue time when it moves),
 * and a redrive after `maxReceiveCount` receives.
 */
export class OrderQueues extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: OrderQueuesProps) {
    super(scope, id);
    const encryption: QueueProps = props.encryptionKey
      ? { encryption: QueueEncryption.KMS, encryptionMasterKey: props.encryptionKey }
      : { encryption: QueueEncryption.SQS_MANAGED };
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      queueName: props.deadLetterQueueName,
      ...encryption,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(props.deadLetterRetentionSeconds),
    });
    this.queue = new Queue(this, 'Queue', {
      queueName: props.queueName,
      ...encryption,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(props)),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
  }
}
