import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
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
>;

/**
 * The order queue and its dead-letter queue: SSE with SQS-managed keys, a policy denying any
 * request not made over TLS, the DLQ keeping messages for the SQS maximum of 14 days (longer than
 * the main queue, as SQS keeps a message's original enqueue time when it moves), and a redrive
 * after `maxReceiveCount` receives.
 */
export class OrderQueues extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: OrderQueuesProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      queueName: props.deadLetterQueueName,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(props.deadLetterRetentionSeconds),
    });
    this.queue = new Queue(this, 'Queue', {
      queueName: props.queueName,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(props)),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
  }
}
