import {
  Annotations,
  ArnFormat,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import { InterfaceVpcEndpointAwsService } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, type FunctionUrl, FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import { FunctionNetwork } from './constructs/FunctionNetwork.js';
import { NodeFunction } from './constructs/NodeFunction.js';
import { OrderQueues } from './constructs/OrderQueues.js';
import { OrderServiceMonitoring } from './constructs/OrderServiceMonitoring.js';
import {
  lambdaEnvironment,
  type OrderProcessingSettings,
  type OrderProcessingStackProps,
  resolveStackSettings,
} from './orderProcessingStackProps.js';

/**
 * The order service: queue and DLQ → consumer Lambda (SQS event source mapping with partial batch
 * responses and a concurrency cap) → MongoDB; a health Lambda behind a Function URL; alarms and a
 * dashboard. The same stack deploys to AWS (`cdk deploy`) and to LocalStack (`cdklocal deploy`).
 *
 * MongoDB connections: at most `maxConcurrency × (mongoMaxPoolSize + 1)` from the consumer (one
 * monitoring connection per container besides its pool) plus `healthReservedConcurrency × 2` from
 * the health check. Size the cluster's connection limit against that.
 */
export class OrderProcessingStack extends Stack {
  readonly settings: OrderProcessingSettings;
  readonly queues: OrderQueues;
  /** With `vpc`: the network both functions run in. */
  readonly network: FunctionNetwork | undefined;
  readonly consumer: NodeFunction;
  readonly health: NodeFunction;
  readonly healthUrl: FunctionUrl;
  readonly monitoring: OrderServiceMonitoring;

  constructor(scope: Construct, id: string, props: OrderProcessingStackProps = {}) {
    super(scope, id, props);
    const settings = resolveStackSettings(props);
    this.settings = settings;
    const local = settings.target === 'local';

    this.queues = new OrderQueues(this, 'Orders', settings);
    const { queue, deadLetterQueue } = this.queues;

    const secretUri = 'secret' in settings.mongoUri;
    this.network =
      settings.vpc &&
      new FunctionNetwork(this, 'Network', {
        ...settings.vpc,
        // What the functions call besides MongoDB; CloudWatch Logs is written by Lambda itself.
        endpoints: settings.vpc.endpoints
          ? [
              InterfaceVpcEndpointAwsService.SQS,
              ...(secretUri ? [InterfaceVpcEndpointAwsService.SECRETS_MANAGER] : []),
            ]
          : [],
      });

    const functionDefaults = {
      logRetention: settings.logRetentionDays,
      // LocalStack runs a function in a container of its architecture: match the host's.
      architecture: local
        ? process.arch === 'arm64'
          ? Architecture.ARM_64
          : Architecture.X86_64
        : Architecture.ARM_64,
      logRemovalPolicy: local ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      // MiniStack runs handlers as local Node processes, without the runtime's AWS SDK.
      bundleAwsSdk: local,
      network: this.network,
      assetFiles: settings.mongoTlsCaFile ? [settings.mongoTlsCaFile] : [],
    };
    const environment = lambdaEnvironment(settings);

    this.consumer = new NodeFunction(this, 'Consumer', {
      ...functionDefaults,
      lambda: 'consumer',
      description:
        'Order consumer: SQS batch -> validated order -> MongoDB, exactly once per order_id',
      timeout: Duration.seconds(settings.consumerTimeoutSeconds),
      memorySize: settings.consumerMemoryMb,
      environment:
        settings.poisonMessages === 'dead-letter-now'
          ? { ...environment.consumer, DLQ_URL: deadLetterQueue.queueUrl }
          : environment.consumer,
    });
    if (settings.poisonMessages === 'dead-letter-now') {
      // Poison records are copied to the DLQ by the consumer itself: send there, nowhere else. The
      // DLQ is encrypted with SQS-managed keys, so no KMS permission is involved.
      this.consumer.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['sqs:SendMessage'],
          resources: [deadLetterQueue.queueArn],
        }),
      );
    }
    this.consumer.function.addEventSource(
      new SqsEventSource(queue, {
        batchSize: settings.batchSize,
        maxBatchingWindow: Duration.seconds(settings.maxBatchingWindowSeconds),
        reportBatchItemFailures: true,
        maxConcurrency: settings.maxConcurrency,
      }),
    );

    this.health = new NodeFunction(this, 'Health', {
      ...functionDefaults,
      lambda: 'health',
      description: 'Order service health check: order queue and MongoDB reachability',
      timeout: Duration.seconds(settings.healthTimeoutSeconds),
      memorySize: settings.healthMemoryMb,
      reservedConcurrentExecutions: settings.healthReservedConcurrency,
      environment: {
        ...environment.shared,
        QUEUE_URL: queue.queueUrl,
        DLQ_URL: deadLetterQueue.queueUrl,
      },
    });
    // Queue depth only: no receive, send or delete for the health check.
    this.health.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['sqs:GetQueueAttributes'],
        resources: [queue.queueArn, deadLetterQueue.queueArn],
      }),
    );
    this.healthUrl = this.health.function.addFunctionUrl({
      authType: FunctionUrlAuthType[settings.functionUrlAuth],
    });
    if (settings.functionUrlAuth === 'NONE') {
      Validations.of(this.healthUrl).acknowledge({
        id: 'OrderService-LambdaFunctionUrlAuth',
        reason:
          'Uptime monitors call the health URL without AWS credentials. An anonymous caller can only make it run three bounded reads (two GetQueueAttributes, one ping; query and body ignored), at most healthReservedConcurrency at a time; it answers only status flags, depths and latencies. Deploy with functionUrlAuth=AWS_IAM to require SigV4.',
      });
    }

    this.grantMongoUriSecret(settings);

    this.monitoring = new OrderServiceMonitoring(this, 'Monitoring', {
      queue,
      deadLetterQueue,
      consumer: this.consumer.function,
      health: this.health.function,
      dashboardName: `${id}-orders`,
      alarmEmail: settings.alarmEmail,
    });

    // Outputs name resources, never the MongoDB URI.
    const output = (name: string, value: string, description: string) =>
      new CfnOutput(this, name, { value, description });
    output('QueueUrl', queue.queueUrl, 'Send order events here');
    output(
      'DeadLetterQueueUrl',
      deadLetterQueue.queueUrl,
      settings.poisonMessages === 'dead-letter-now'
        ? 'Orders no delivery can store, with their reason as message attributes'
        : 'Orders that failed maxReceiveCount times',
    );
    output('HealthUrl', this.healthUrl.url, `Health check (GET), auth ${settings.functionUrlAuth}`);
    output('DashboardName', this.monitoring.dashboard.dashboardName, 'CloudWatch dashboard');
    output('AlarmTopicArn', this.monitoring.alarmTopic.topicArn, 'Subscribe to receive alarms');
    output('ConsumerFunctionName', this.consumer.function.functionName, 'Consumer Lambda');
    output('HealthFunctionName', this.health.function.functionName, 'Health Lambda');
    output('Region', this.region, 'Region the stack is deployed in');
    const securityGroup = this.network?.createdSecurityGroup;
    if (securityGroup) {
      output(
        'LambdaSecurityGroupId',
        securityGroup.securityGroupId,
        'Security group of both Lambdas: let it in on the database side',
      );
    }
    if (settings.mongoAuth === 'aws-iam') {
      output(
        'ConsumerRoleArn',
        this.consumer.role.roleArn,
        'MongoDB user (MONGODB-AWS) of the consumer',
      );
      output(
        'HealthRoleArn',
        this.health.role.roleArn,
        'MongoDB user (MONGODB-AWS) of the health check',
      );
    }
  }

  // secretsmanager:GetSecretValue on the one secret, for both functions; nothing else.
  private grantMongoUriSecret(settings: OrderProcessingSettings): void {
    if (!('secret' in settings.mongoUri)) {
      // With aws-iam the URI holds no credentials: nothing to hide.
      if (settings.target === 'aws' && settings.mongoAuth === undefined) {
        Annotations.of(this).addWarningV2(
          '@order-service/plain-mongo-uri',
          'The MongoDB URI is a plain value: it is visible in the Lambda configuration. Prefer mongoUri.secret on AWS.',
        );
      }
      return;
    }
    const { secret } = settings.mongoUri;
    const byName = !secret.startsWith('arn:');
    // A secret's ARN ends in a random 6-character suffix; by name, match exactly that with `-??????`.
    const secretArn = byName
      ? this.formatArn({
          service: 'secretsmanager',
          resource: 'secret',
          resourceName: `${secret}-??????`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        })
      : secret;
    for (const fn of [this.consumer, this.health]) {
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secretArn] }),
      );
    }
  }
}
