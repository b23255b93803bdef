import { describe, expect, it } from 'vitest';
import type { DeployOutputs } from '../../../../local/commands/readDeployOutputs.js';
import {
  regionOfQueueUrl,
  resolveSqsTarget,
  type TargetSources,
} from '../../../../local/commands/resolveSqsTarget.js';
import type { DevEndpoints } from '../../../../local/runtime/devEndpointsFile.js';
import { defaultSettings } from '../../../../settings/serviceSettings.js';

const dev: DevEndpoints = {
  pid: 4242,
  sqsEndpoint: 'http://127.0.0.1:4566',
  region: 'eu-west-1',
  queueUrl: 'http://sqs.eu-west-1.localhost:4566/000000000000/order-queue',
  deadLetterQueueUrl: 'http://sqs.eu-west-1.localhost:4566/000000000000/order-queue-dlq',
  healthUrl: 'http://127.0.0.1:3000/',
  mongoUri: 'mongodb://127.0.0.1:40000/',
  databaseName: 'order_db',
  startedAt: '2024-01-01T00:00:00Z',
};

const localStackOutputs: DeployOutputs = {
  file: '/repo/cdk-outputs.local.json',
  queueUrl: 'http://sqs.us-east-1.localhost.localstack.cloud:4566/000000000000/order-queue',
  deadLetterQueueUrl:
    'http://sqs.us-east-1.localhost.localstack.cloud:4566/000000000000/order-queue-dlq',
};

const awsOutputs: DeployOutputs = {
  file: '/repo/cdk-outputs.json',
  queueUrl: 'https://sqs.eu-central-1.amazonaws.com/123456789012/order-queue',
  deadLetterQueueUrl: 'https://sqs.eu-central-1.amazonaws.com/123456789012/order-queue-dlq',
};

/** Sources with nothing present unless given. */
const sources = (
  overrides: Partial<TargetSources> & { files?: Record<string, DeployOutputs> } = {},
): TargetSources => ({
  env: {},
  projectRoot: '/repo',
  devEndpoints: () => undefined,
  isProcessAlive: () => true,
  deployOutputs: (file) => overrides.files?.[file],
  ...overrides,
});

describe('resolveSqsTarget', () => {
  it('falls back to the dev defaults with the queue names of the shared settings', () => {
    // Act
    const target = resolveSqsTarget(sources());

    // Assess
    expect(target).toMatchObject({
      endpoint: 'http://localhost:4566',
      region: 'us-east-1',
      useTestCredentials: true,
      queue: { name: defaultSettings.queueName },
      deadLetterQueue: { name: defaultSettings.deadLetterQueueName },
      mongo: undefined,
    });
  });

  it('uses a running dev runtime, its region and its MongoDB', () => {
    // Act
    const target = resolveSqsTarget(
      sources({ devEndpoints: () => dev, env: { AWS_REGION: 'us-east-1' } }),
    );

    // Assess
    expect(target).toMatchObject({
      endpoint: dev.sqsEndpoint,
      region: 'eu-west-1',
      queue: { url: dev.queueUrl },
      deadLetterQueue: { url: dev.deadLetterQueueUrl },
      mongo: { uri: dev.mongoUri, databaseName: 'order_db' },
    });
    expect(target.description).toContain('pid 4242');
  });

  it('ignores the endpoints file of a dev runtime that is gone', () => {
    // Act
    const target = resolveSqsTarget(
      sources({ devEndpoints: () => dev, isProcessAlive: () => false }),
    );

    // Assess
    expect(target.endpoint).toBe('http://localhost:4566');
    expect(target.queue).toEqual({ name: defaultSettings.queueName });
  });

  it('prefers the LocalStack outputs to the AWS ones', () => {
    // Act
    const target = resolveSqsTarget(
      sources({
        files: {
          '/repo/cdk-outputs.local.json': localStackOutputs,
          '/repo/cdk-outputs.json': awsOutputs,
        },
      }),
    );

    // Assess
    expect(target).toMatchObject({
      endpoint: 'http://localhost:4566',
      queue: { url: localStackOutputs.queueUrl },
      region: 'us-east-1',
      useTestCredentials: true,
    });
  });

  it('targets AWS with the SDK chain from cdk-outputs.json', () => {
    // Act
    const target = resolveSqsTarget(sources({ files: { '/repo/cdk-outputs.json': awsOutputs } }));

    // Assess
    expect(target).toMatchObject({
      endpoint: undefined,
      region: 'eu-central-1',
      useTestCredentials: false,
      queue: { url: awsOutputs.queueUrl },
      deadLetterQueue: { url: awsOutputs.deadLetterQueueUrl },
    });
  });

  it('lets QUEUE_URL win over everything, and finds the endpoint of a fauxqs URL', () => {
    // Act
    const target = resolveSqsTarget(
      sources({
        devEndpoints: () => dev,
        env: { QUEUE_URL: 'http://sqs.us-east-1.localhost:9999/000000000000/q' },
        files: { '/repo/cdk-outputs.json': awsOutputs },
      }),
    );

    // Assess
    expect(target).toMatchObject({
      endpoint: 'http://localhost:9999',
      region: 'us-east-1',
      queue: { url: 'http://sqs.us-east-1.localhost:9999/000000000000/q' },
      deadLetterQueue: undefined,
    });
  });

  it('uses AWS_ENDPOINT_URL with the queue names when there is no LocalStack outputs file', () => {
    // Act
    const target = resolveSqsTarget(
      sources({
        devEndpoints: () => dev,
        env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:4000', AWS_ACCESS_KEY_ID: 'AKIA' },
      }),
    );

    // Assess
    expect(target).toMatchObject({
      endpoint: 'http://127.0.0.1:4000',
      queue: { name: defaultSettings.queueName },
      useTestCredentials: false,
    });
  });

  it('treats AWS_ENDPOINT_URL with a local deployment as an emulator, whatever its host', () => {
    // Prepare
    const miniStackOutputs: DeployOutputs = {
      file: '/repo/cdk-outputs.local.json',
      queueUrl: 'http://ministack:4566/000000000000/order-queue',
      deadLetterQueueUrl: 'http://ministack:4566/000000000000/order-queue-dlq',
      consumerFunctionName: 'OrderProcessing-ConsumerFunction1B019A9B-F2C9760B3E0E9',
      region: 'eu-west-1',
    };

    // Act
    const target = resolveSqsTarget(
      sources({
        env: { AWS_ENDPOINT_URL: 'http://ministack:4566' },
        files: { '/repo/cdk-outputs.local.json': miniStackOutputs },
      }),
    );

    // Assess
    expect(target).toMatchObject({
      endpoint: 'http://ministack:4566',
      region: 'eu-west-1',
      useTestCredentials: true,
      queue: { url: miniStackOutputs.queueUrl },
      deadLetterQueue: { url: miniStackOutputs.deadLetterQueueUrl },
      mongo: undefined,
      deployedConsumer: miniStackOutputs.consumerFunctionName,
    });
  });

  it('names no deployed consumer for AWS, whose MongoDB URI is a secret', () => {
    // Act
    const target = resolveSqsTarget(
      sources({
        files: {
          '/repo/cdk-outputs.json': { ...awsOutputs, consumerFunctionName: 'OrderProcessing-C' },
        },
      }),
    );

    // Assess
    expect(target.deployedConsumer).toBeUndefined();
  });

  it('takes MONGO_URI and MONGO_DB_NAME from the environment first', () => {
    // Act
    const target = resolveSqsTarget(
      sources({
        devEndpoints: () => dev,
        env: { MONGO_URI: 'mongodb://db:27017', MONGO_DB_NAME: 'other' },
      }),
    );

    // Assess
    expect(target.mongo).toEqual({ uri: 'mongodb://db:27017', databaseName: 'other' });
  });
});

describe('regionOfQueueUrl', () => {
  it.each([
    ['https://sqs.eu-west-3.amazonaws.com/1/q', 'eu-west-3'],
    ['http://sqs.us-east-1.localhost:4566/000000000000/q', 'us-east-1'],
    ['http://localhost:4566/000000000000/q', undefined],
    ['not a url', undefined],
  ])('%s → %s', (url, region) => {
    expect(regionOfQueueUrl(url)).toBe(region);
  });
});
