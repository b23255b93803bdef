import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  CONSUMER_SERVICE_NAME,
  ORDER_METRICS,
  ORDER_METRICS_NAMESPACE,
  type OrderMetricName,
} from '../../lambda/consumer/orderMetrics.js';

/** What is watched. */
export interface OrderServiceMonitoringProps {
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  readonly consumer: IFunction;
  readonly health: IFunction;
  readonly dashboardName: string;
  /** Subscribed to the alarm topic when given (the address must confirm the subscription). */
  readonly alarmEmail?: string;
  /** A customer-managed key for the topic; its policy must let CloudWatch use it. */
  readonly encryptionKey?: IKey;
}

/** One of the consumer's EMF metrics (see `lambda/consumer/orderMetrics.ts`), summed per minute. */
const orderMetric = (metricName: OrderMetricName, period = Duration.minutes(1)): Metric =>
  new Metric({
    namespace: ORDER_METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: CONSUMER_SERVICE_NAME },
    statistic: 'Sum',
    period,
  });

/**
 * Alarms, their SNS topic and the dashboard. Each alarm fires on the first occurrence:
 *
 * - a dead letter (an order no delivery could store needs a human);
 * - a consumer invocation error (per-record failures are reported in `batchItemFailures` and are
 *   not errors, so an error means a crash, a timeout or a failed cold start);
 * - an internal error (a record failed for a reason nobody foresaw: a bug);
 * - a conflict (an order id arrived again with other content: a producer to talk to).
 *
 * The order figures are the consumer's EMF metrics, not log text.
 */
export class OrderServiceMonitoring extends Construct {
  readonly alarmTopic: Topic;
  readonly deadLetterAlarm: Alarm;
  readonly consumerErrorsAlarm: Alarm;
  readonly internalErrorsAlarm: Alarm;
  readonly conflictsAlarm: Alarm;
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OrderServiceMonitoringProps) {
    super(scope, id);
    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: 'Order service alarms',
      enforceSSL: true,
      masterKey: props.encryptionKey,
    });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));

    // Every alarm fires on the first occurrence and notifies the topic, and again when it clears.
    const onFirst = (alarmId: string, alarmDescription: string, metric: IMetric) =>
      new Alarm(this, alarmId, {
        alarmDescription,
        metric,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    this.deadLetterAlarm = onFirst(
      'DeadLetterQueueAlarm',
      'Orders reached the dead-letter queue: list them with their reasons (npm run dlq -- list, or the SQS console), fix the cause, redrive.',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
    );
    this.consumerErrorsAlarm = onFirst(
      'ConsumerErrorsAlarm',
      'The order consumer failed whole invocations (crash, timeout or cold-start failure): check its logs.',
      props.consumer.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
    );
    this.internalErrorsAlarm = onFirst(
      'InternalErrorsAlarm',
      'The order consumer failed records for an unforeseen reason (a bug): search its logs for "internal error"; the records went back to the queue.',
      orderMetric(ORDER_METRICS.internalErrors, Duration.minutes(5)),
    );
    this.conflictsAlarm = onFirst(
      'ConflictsAlarm',
      'An order id arrived again with other content; the stored order was kept and the message is in the DLQ with its reason.',
      orderMetric(ORDER_METRICS.conflicts, Duration.minutes(5)),
    );
    const alarms = [
      this.deadLetterAlarm,
      this.consumerErrorsAlarm,
      this.internalErrorsAlarm,
      this.conflictsAlarm,
    ];
    const action = new SnsAction(this.alarmTopic);
    for (const alarm of alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }

    const graph = (title: string, left: IMetric[], right: IMetric[] = []) =>
      new GraphWidget({ title, left, right, width: 8, height: 6 });
    const sum = { statistic: 'Sum', period: Duration.minutes(1) };
    const max = { statistic: 'Maximum', period: Duration.minutes(1) };

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName });
    this.dashboard.addWidgets(
      new AlarmStatusWidget({
        title: 'Alarms',
        alarms,
        width: 24,
        height: 3,
      }),
    );
    this.dashboard.addWidgets(
      graph('Order queue depth', [
        props.queue.metricApproximateNumberOfMessagesVisible(max),
        props.queue.metricApproximateNumberOfMessagesNotVisible(max),
      ]),
      graph('Age of oldest order (s)', [props.queue.metricApproximateAgeOfOldestMessage(max)]),
      graph('Dead-letter queue depth', [
        props.deadLetterQueue.metricApproximateNumberOfMessagesVisible(max),
      ]),
    );
    this.dashboard.addWidgets(
      graph(
        'Consumer invocations and errors',
        [props.consumer.metricInvocations(sum), props.consumer.metricErrors(sum)],
        [props.consumer.metricThrottles(sum)],
      ),
      graph('Consumer duration (ms)', [
        props.consumer.metricDuration({ statistic: 'p50', period: Duration.minutes(1) }),
        props.consumer.metricDuration({ statistic: 'p99', period: Duration.minutes(1) }),
        props.consumer.metricDuration(max),
      ]),
      graph('Consumer concurrency', [props.consumer.metric('ConcurrentExecutions', max)]),
    );
    this.dashboard.addWidgets(
      graph(
        'Orders by outcome',
        [
          orderMetric(ORDER_METRICS.stored),
          orderMetric(ORDER_METRICS.alreadyStored),
          orderMetric(ORDER_METRICS.restored),
        ],
        [
          orderMetric(ORDER_METRICS.rejected),
          orderMetric(ORDER_METRICS.conflicts),
          orderMetric(ORDER_METRICS.deferred),
          orderMetric(ORDER_METRICS.internalErrors),
        ],
      ),
      graph('MongoDB retries and failed dead letters', [
        orderMetric(ORDER_METRICS.mongoRetries),
        orderMetric(ORDER_METRICS.deadLetterFailures),
      ]),
      graph('Health check invocations and errors', [
        props.health.metricInvocations(sum),
        props.health.metricErrors(sum),
      ]),
    );
  }
}
