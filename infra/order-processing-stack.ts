import {
  Annotations,
  Arn,
  ArnFormat,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  Token,
} from 'aws-cdk-lib';
import { InterfaceVpcEndpointAwsService } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { Architecture, type FunctionUrl, FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import { FunctionNetwork } from './constructs/FunctionNetwork.js';
import { NodeFunction } from './constructs/NodeFunction.js';
import { OrderQueues } from './constructs/OrderQueues.js';
import { OrderServiceMonitoring } from './constructs/OrderServiceMonitoring.js';
import { StackConfigurationError } from './errors.js';
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
  /** With `encryptionKey`: the key the stack created, or the one it was given. */
  readonly encryptionKey: IKey | undefined;
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

    // CloudWatch Logs checks the key when it creates a log group, so the key's policy names the
    // groups, which therefore get names of their own (a generated one is not known beforehand).
    const logGroupName = (lambda: string) => `/order-service/${this.stackName}/${lambda}`;
    const encryptionKey = this.customerKey(settings, [
      logGroupName('consumer'),
      logGroupName('health'),
    ]);
    this.encryptionKey = encryptionKey;
    const encryption = (lambda: string) =>
      encryptionKey && { key: encryptionKey, logGroupName: logGroupName(lambda) };

    this.queues = new OrderQueues(this, 'Orders', { ...settings, encryptionKey });
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
      tracing: settings.tracing === 'active',
    };
    const environment = lambdaEnvironment(settings);

    this.consumer = new NodeFunction(this, 'Consumer', {
      ...functionDefaults,
      lambda: 'consumer',
      description:
        'Order consumer: SQS batch -> validated order -> MongoDB, exactly once per order_id',
      timeout: Duration.seconds(settings.consumerTimeoutSeconds),
      memorySize: settings.consumerMemoryMb,
      encryption: encryption('consumer'),
      environment:
        settings.poisonMessages === 'dead-letter-now'
          ? { ...environment.consumer, DLQ_URL: deadLetterQueue.queueUrl }
          : environment.consumer,
    });
    if (settings.poisonMessages === 'dead-letter-now') {
      // Poison records are copied to the DLQ by the consumer itself: send there, nowhere else.
      this.consumer.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['sqs:SendMessage'],
          resources: [deadLetterQueue.queueArn],
        }),
      );
      // Sending under a customer key makes a data key; the mapping grants kms:Decrypt to receive.
      encryptionKey?.grant(this.consumer.role, 'kms:GenerateDataKey');
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
      encryption: encryption('health'),
      reservedConcurrentExecutions: settings.healthReservedConcurrency,
      environment: {
        ...environment.shared,
        QUEUE_URL: queue.queueUrl,
        DLQ_URL: deadLetterQueue.queueUrl,
      },
    });
    // Queue depth only: no receive, send or delete for the health check. GetQueueAttributes needs
    // no KMS permission, and Lambda decrypts the environment through a grant it makes on the key.
    this.health.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['sqs:GetQueueAttributes'],
        resources: [queue.queueArn, deadLetterQueue.queueArn],
      }),
    );
    this.healthUrl = this.health.function.addFunctionUrl({
      authType: FunctionUrlAuthType[settings.functionUrlAuth],
    });

    this.grantMongoUriSecret(settings);

    this.monitoring = new OrderServiceMonitoring(this, 'Monitoring', {
      queue,
      deadLetterQueue,
      consumer: this.consumer.function,
      health: this.health.function,
      dashboardName: `${id}-orders`,
      alarmEmail: settings.alarmEmail,
      encryptionKey,
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
    if (encryptionKey) {
      output(
        'EncryptionKeyArn',
        encryptionKey.keyArn,
        'KMS key of the queues, logs, alarm topic and function environments',
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

  // One key for what the stack stores. A created key lets CloudWatch Logs use it for the two log
  // groups and CloudWatch alarms publish to the encrypted topic; a given key's policy is its
  // owner's (docs/deployment.md says what it must allow).
  private customerKey(
    settings: OrderProcessingSettings,
    logGroupNames: readonly string[],
  ): IKey | undefined {
    const given = settings.encryptionKey;
    if (given === undefined) return undefined;
    if (given !== 'create') {
      const region = Arn.split(given.keyArn, ArnFormat.SLASH_RESOURCE_NAME).region;
      if (!Token.isUnresolved(this.region) && region !== this.region) {
        throw new StackConfigurationError(
          `Invalid stack setting: kmsKeyArn is a key in ${region}; the stack deploys to ${this.region}, and SQS, Lambda and CloudWatch Logs use keys of their own region only`,
        );
      }
      return Key.fromKeyArn(this, 'EncryptionKey', given.keyArn);
    }
    const key = new Key(this, 'EncryptionKey', {
      description: `${this.stackName}: order queues, function logs and environments, alarm topic`,
      enableKeyRotation: true,
      // The DLQ's messages and the logs outlive the stack on AWS; so must the key that reads them.
      removalPolicy: settings.target === 'local' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: [
          'kms:Encrypt*',
          'kms:Decrypt*',
          'kms:ReEncrypt*',
          'kms:GenerateDataKey*',
          'kms:Describe*',
        ],
        resources: ['*'],
        conditions: {
          ArnEquals: {
            'kms:EncryptionContext:aws:logs:arn': logGroupNames.map((name) =>
              this.formatArn({
                service: 'logs',
                resource: 'log-group',
                resourceName: name,
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              }),
            ),
          },
        },
      }),
    );
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    return key;
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
