import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { esbuildOptions } from '../../infra/lambdaBundling.js';
import { defaultDeploymentSettings, defaultSettings } from '../../settings/serviceSettings.js';
import {
  logicalIdOf,
  type SynthesizedOrderService,
  statementsOfFunction,
  synthesizeOrderService,
} from './synthesizeOrderService.js';

// esbuild bundling of both Lambdas takes seconds, more on a busy machine.
const SYNTH_TIMEOUT_MS = 120_000;

/** The consumer bundle's budget (issue 6), in bytes of minified code. */
// 640 KiB.
const CONSUMER_BUNDLE_MAX_BYTES = 655_360;

const queueArn = (template: SynthesizedOrderService['template'], name: string) => ({
  'Fn::GetAtt': [logicalIdOf(template, 'AWS::SQS::Queue', (p) => p.QueueName === name), 'Arn'],
});

describe('OrderProcessingStack on AWS (defaults, bundled as cdk synth does)', () => {
  let synthesized: SynthesizedOrderService;

  beforeAll(() => {
    // Prepare (once for the file: bundling both Lambdas with esbuild takes a few seconds)
    synthesized = synthesizeOrderService({}, { bundle: true });
  }, SYNTH_TIMEOUT_MS);

  it('creates the DLQ with SSE and 14 days of retention', () => {
    synthesized.template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: defaultSettings.deadLetterQueueName,
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 60 * 60,
    });
  });

  it('creates the order queue with SSE, a redrive to the DLQ after maxReceiveCount ≥ 5 receives, and visibility ≥ 6 × timeout + window', () => {
    // Prepare
    const { template } = synthesized;

    // Assess: 6 × the 30 s consumer timeout + the 1 s batching window, written out, so that a
    // change of the formula or of the defaults shows here
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: defaultSettings.queueName,
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 181,
      RedrivePolicy: {
        deadLetterTargetArn: queueArn(template, defaultSettings.deadLetterQueueName),
        maxReceiveCount: defaultSettings.maxReceiveCount,
      },
    });
    expect(defaultSettings.maxReceiveCount).toBeGreaterThanOrEqual(5);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Order consumer'),
      Timeout: 30,
    });
  });

  it('denies every request to either queue that does not use TLS', () => {
    // Prepare
    const { template } = synthesized;
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));

    // Assess
    expect(policies).toHaveLength(2);
    for (const name of [defaultSettings.queueName, defaultSettings.deadLetterQueueName]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: logicalIdOf(template, 'AWS::SQS::Queue', (p) => p.QueueName === name) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              Resource: queueArn(template, name),
            },
          ]),
        },
      });
    }
  });

  it('maps the queue to the consumer with partial batch responses, batch size, window and a concurrency cap', () => {
    synthesized.template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    synthesized.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: queueArn(synthesized.template, defaultSettings.queueName),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: defaultSettings.batchSize,
      MaximumBatchingWindowInSeconds: defaultSettings.maxBatchingWindowSeconds,
      ScalingConfig: { MaximumConcurrency: defaultSettings.maxConcurrency },
    });
  });

  it('runs both functions on Node.js 24, arm64, with their own log groups and retention', () => {
    // Prepare
    const { template } = synthesized;
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));

    // Assess
    expect(functions).toHaveLength(2);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Handler: 'index.handler',
        Architectures: ['arm64'],
        LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
      });
    }
    template.resourcePropertiesCountIs(
      'AWS::Logs::LogGroup',
      { RetentionInDays: defaultDeploymentSettings.logRetentionDays },
      2,
    );
  });

  it('gives the consumer the MongoDB settings, the secret by name and never a URI', () => {
    synthesized.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Order consumer'),
      MemorySize: defaultDeploymentSettings.consumerMemoryMb,
      Environment: {
        Variables: {
          MONGO_URI_SECRET_ID: defaultDeploymentSettings.mongoUriSecretName,
          MONGO_DB_NAME: 'order_db',
          MONGO_MAX_POOL_SIZE: String(defaultSettings.mongoMaxPoolSize),
          IDEMPOTENCY_EXPIRY_SECONDS: String(defaultSettings.idempotencyExpirySeconds),
          LOG_LEVEL: 'INFO',
          // No runtime source maps: parsing the map costs every cold start (see lambdaBundling).
          NODE_OPTIONS: Match.absent(),
          MONGO_URI: Match.absent(),
        },
      },
    });
  });

  it('gives the health function the two queue URLs, the Mongo settings and reserved concurrency', () => {
    const { template } = synthesized;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Order service health'),
      ReservedConcurrentExecutions: defaultDeploymentSettings.healthReservedConcurrency,
      Timeout: defaultDeploymentSettings.healthTimeoutSeconds,
      Environment: {
        Variables: Match.objectLike({
          QUEUE_URL: {
            Ref: logicalIdOf(template, 'AWS::SQS::Queue', (p) => p.QueueName === 'order-queue'),
          },
          DLQ_URL: {
            Ref: logicalIdOf(template, 'AWS::SQS::Queue', (p) => p.QueueName === 'order-queue-dlq'),
          },
          MONGO_URI_SECRET_ID: defaultDeploymentSettings.mongoUriSecretName,
          MONGO_DB_NAME: 'order_db',
        }),
      },
    });
  });

  it('lets the consumer write its logs, consume the order queue, send to the DLQ and read the one secret; nothing more', () => {
    // Prepare
    const { template } = synthesized;

    // Act
    const statements = statementsOfFunction(template, 'Consumer');

    // Assess
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ConsumerLogs/), 'Arn'] },
      },
      {
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: queueArn(template, 'order-queue-dlq'),
      },
      {
        Effect: 'Allow',
        Action: [
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:ReceiveMessage',
        ],
        Resource: queueArn(template, 'order-queue'),
      },
      {
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':secretsmanager:eu-west-1:123456789012:secret:order-service/mongo-uri-??????',
            ],
          ],
        },
      },
    ]);
  });

  it('lets the health function read the two queues’ attributes and the secret; no other SQS action', () => {
    // Act
    const statements = statementsOfFunction(synthesized.template, 'Health');

    // Assess
    const sqsStatements = statements.filter((s) => JSON.stringify(s).includes('"sqs:'));
    expect(sqsStatements).toEqual([
      {
        Effect: 'Allow',
        Action: 'sqs:GetQueueAttributes',
        Resource: expect.arrayContaining([
          queueArn(synthesized.template, 'order-queue'),
          queueArn(synthesized.template, 'order-queue-dlq'),
        ]),
      },
    ]);
    expect(statements.map((s) => (s as { Action: unknown }).Action)).toEqual([
      ['logs:CreateLogStream', 'logs:PutLogEvents'],
      'sqs:GetQueueAttributes',
      'secretsmanager:GetSecretValue',
    ]);
  });

  it('gives neither role a managed policy or a wildcard resource', () => {
    // Prepare
    const { template } = synthesized;
    const roles = Object.values(template.findResources('AWS::IAM::Role'));

    // Assess
    expect(roles).toHaveLength(2);
    for (const role of roles) expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    for (const lambda of ['Consumer', 'Health'] as const) {
      expect(JSON.stringify(statementsOfFunction(template, lambda))).not.toMatch(/"\*"|:\*"/);
    }
  });

  it('puts the health function behind a Function URL with the default auth NONE, publicly invocable only through the URL', () => {
    const { template } = synthesized;
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE' });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunctionUrl',
      FunctionUrlAuthType: 'NONE',
      Principal: '*',
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      InvokedViaFunctionUrl: true,
      Principal: '*',
    });
  });

  it('alarms on the first dead letter and on any consumer error, notifying the alarm topic', () => {
    const { template } = synthesized;
    const topic = { Ref: logicalIdOf(template, 'AWS::SNS::Topic', () => true) };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: Match.anyValue() }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topic],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topic],
    });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('alarms on the first internal error and the first conflict, from the consumer EMF metrics', () => {
    // Prepare
    const { template } = synthesized;
    const topic = { Ref: logicalIdOf(template, 'AWS::SNS::Topic', () => true) };

    // Assess
    for (const metricName of ['InternalErrors', 'OrderConflicts']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'OrderService',
        MetricName: metricName,
        Dimensions: [{ Name: 'service', Value: 'order-consumer' }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [topic],
      });
    }
    template.resourceCountIs('AWS::CloudWatch::Alarm', 4);
  });

  it('charts the order outcomes from the EMF metrics, and reads no log text', () => {
    // Prepare
    const { template } = synthesized;
    const body = JSON.stringify(
      Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]?.Properties
        ?.DashboardBody,
    );

    // Assess
    template.resourceCountIs('AWS::Logs::MetricFilter', 0);
    for (const metricName of [
      'OrdersStored',
      'OrdersAlreadyStored',
      'OrdersRestored',
      'OrdersRejected',
      'OrderConflicts',
      'InternalErrors',
      'MongoRetries',
    ]) {
      expect(body).toContain(
        `\\"OrderService\\",\\"${metricName}\\",\\"service\\",\\"order-consumer\\"`,
      );
    }
  });

  it('outputs the queue URL, DLQ URL, health URL and dashboard name, and never a MongoDB URI', () => {
    // Prepare
    const outputs = synthesized.template.findOutputs('*');

    // Assess
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['QueueUrl', 'DeadLetterQueueUrl', 'HealthUrl', 'DashboardName']),
    );
    expect(outputs.HealthUrl?.Value).toEqual({
      'Fn::GetAtt': [
        logicalIdOf(synthesized.template, 'AWS::Lambda::Url', () => true),
        'FunctionUrl',
      ],
    });
    expect(JSON.stringify(outputs)).not.toMatch(/mongodb|MONGO/);
  });

  it('deploys the consumer bundle `npm run build` makes, within its budget, with the AWS SDK clients left to the runtime', async () => {
    // Prepare
    const { template, app } = synthesized;
    const consumerId = logicalIdOf(template, 'AWS::Lambda::Function', (p) =>
      String(p.Description).startsWith('Order consumer'),
    );
    const code = template.toJSON().Resources[consumerId].Properties.Code as { S3Key: string };
    const assetDir = join(app.outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
    const outdir = mkdtempSync(join(tmpdir(), 'consumer-bundle-'));

    try {
      // Act
      await build(esbuildOptions('consumer', outdir));

      // Assess
      const deployed = readFileSync(join(assetDir, 'index.mjs'));
      expect(deployed.equals(readFileSync(join(outdir, 'consumer', 'index.mjs')))).toBe(true);
      expect(deployed.length).toBeLessThanOrEqual(CONSUMER_BUNDLE_MAX_BYTES);
      expect(deployed.toString()).toContain('import("@aws-sdk/client-secrets-manager")');
      expect(deployed.toString()).toContain('import("@aws-sdk/client-sqs")');
      expect(existsSync(join(assetDir, 'index.mjs.LEGAL.txt'))).toBe(true);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('leaves no cdk-nag finding unacknowledged (AwsSolutions and the OrderService rules)', () => {
    // Assess
    expect(synthesized.nagReports.map((report) => report.violations)).toEqual([[], []]);
    expect(synthesized.nagReports.every((report) => report.success)).toBe(true);
  });
});
