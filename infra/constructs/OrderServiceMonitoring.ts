import { Duration, Validations } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  type Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** What is watched. */
export interface OrderServiceMonitoringProps {
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  readonly consumer: IFunction;
  readonly consumerLogGroup: ILogGroup;
  readonly health: IFunction;
  readonly dashboardName: string;
  /** Subscribed to the alarm topic when given (the address must confirm the subscription). */
  readonly alarmEmail?: string;
}

/** Namespace of the metrics derived from the consumer's logs. */
export const ORDER_METRICS_NAMESPACE = 'OrderService';

/**
 * Alarms, their SNS topic and the dashboard. The DLQ alarm fires on the first dead letter (a
 * message that failed `maxReceiveCount` times needs a human); the consumer alarm fires on any
 * invocation error (per-record failures are reported in `batchItemFailures` and are not errors, so
 * an error means a crash, a timeout or a failed cold start).
 */
export class OrderServiceMonitoring extends Construct {
  readonly alarmTopic: Topic;
  readonly deadLetterAlarm: Alarm;
  readonly consumerErrorsAlarm: Alarm;
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OrderServiceMonitoringProps) {
    super(scope, id);
    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: 'Order service alarms',
      enforceSSL: true,
    });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    Validations.of(this.alarmTopic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'The topic carries only CloudWatch alarm notifications (alarm name, state, metric values), no order data; CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, and a customer-managed key for this is cost without protection.',
    });

    this.deadLetterAlarm = new Alarm(this, 'DeadLetterQueueAlarm', {
      alarmDescription:
        'Orders reached the dead-letter queue: inspect them (see the README, "Inspect the DLQ"), fix the cause, redrive.',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.consumerErrorsAlarm = new Alarm(this, 'ConsumerErrorsAlarm', {
      alarmDescription:
        'The order consumer failed whole invocations (crash, timeout or cold-start failure): check its logs.',
      metric: props.consumer.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const action = new SnsAction(this.alarmTopic);
    for (const alarm of [this.deadLetterAlarm, this.consumerErrorsAlarm]) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }

    const ordersStored = this.orderOutcomeMetric(
      props.consumerLogGroup,
      'OrdersStored',
      'order stored',
    );
    const ordersRejected = this.orderOutcomeMetric(
      props.consumerLogGroup,
      'OrdersRejected',
      'order rejected',
    );

    const graph = (title: string, left: IMetric[], right: IMetric[] = []) =>
      new GraphWidget({ title, left, right, width: 8, height: 6 });
    const sum = { statistic: 'Sum', period: Duration.minutes(1) };
    const max = { statistic: 'Maximum', period: Duration.minutes(1) };

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName });
    this.dashboard.addWidgets(
      new AlarmStatusWidget({
        title: 'Alarms',
        alarms: [this.deadLetterAlarm, this.consumerErrorsAlarm],
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
      graph('Orders stored / rejected', [ordersStored.with(sum), ordersRejected.with(sum)]),
      graph('Health check invocations and errors', [
        props.health.metricInvocations(sum),
        props.health.metricErrors(sum),
      ]),
    );
  }

  // Counts the consumer's JSON log lines with this `message` (written by createRecordHandler).
  private orderOutcomeMetric(logGroup: ILogGroup, metricName: string, message: string): Metric {
    return new MetricFilter(this, `${metricName}Filter`, {
      logGroup,
      filterPattern: FilterPattern.stringValue('$.message', '=', message),
      metricNamespace: ORDER_METRICS_NAMESPACE,
      metricName,
      metricValue: '1',
      defaultValue: 0,
    }).metric();
  }
}
