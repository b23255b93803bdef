import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { configDefaults, type LogLevel, loadConfig } from '../lambda/shared/config.js';
import { ConfigurationError } from '../lambda/shared/errors.js';
import {
  type DeploymentSettings,
  defaultDeploymentSettings,
  defaultSettings,
  type FunctionUrlAuth,
  type OrderServiceSettings,
  POISON_MESSAGES,
} from '../settings/serviceSettings.js';
import { StackConfigurationError } from './errors.js';
import { pathInFunction } from './lambdaBundling.js';

/** Where the stack is deployed: AWS, or LocalStack through `cdklocal`. */
export type DeploymentTarget = 'aws' | 'local';

/**
 * Where the Lambdas get the MongoDB URI: a Secrets Manager secret (name or full ARN; read once per
 * container, at cold start), or a plain value (LocalStack; on AWS it would sit in the function
 * configuration in clear text).
 */
export type MongoUriProp = { readonly secret: string } | { readonly value: string };

/** An existing VPC to run both Lambdas in, by id: synthesis looks nothing up. */
export interface LambdaVpcProps {
  readonly vpcId: string;
  /** Subnets (private, with a route to MongoDB) for the Lambdas' network interfaces. */
  readonly subnetIds: readonly string[];
  /** Default: a security group the stack creates (MongoDB ports and 443 out, nothing in). */
  readonly securityGroupIds?: readonly string[];
  /**
   * Interface endpoints with private DNS in those subnets, for SQS and (when the URI is a secret)
   * Secrets Manager, so the Lambdas need no NAT gateway. Default `false`: the VPC has a NAT
   * gateway or the endpoints already.
   */
  readonly endpoints?: boolean;
}

/** How the Lambdas authenticate to MongoDB besides the URI: `aws-iam` is `MONGODB-AWS`. */
export type MongoAuth = 'aws-iam';

/** Props of {@link OrderProcessingStack}; every setting defaults to `settings/serviceSettings.ts`. */
export interface OrderProcessingStackProps extends StackProps, Partial<OrderServiceSettings> {
  /** Default `aws`. `local` uses a plain URI for the compose MongoDB and the host architecture. */
  readonly target?: DeploymentTarget;
  /** Default: secret `order-service/mongo-uri` on AWS, `mongodb://mongodb:27017` locally. */
  readonly mongoUri?: MongoUriProp;
  /** Default `order_db`. */
  readonly databaseName?: string;
  /** Log level of both Lambdas; default `INFO`. */
  readonly logLevel?: LogLevel;
  /** Default `NONE` (uptime monitors can call it); `AWS_IAM` requires SigV4-signed callers. */
  readonly functionUrlAuth?: FunctionUrlAuth;
  /** E-mail address subscribed to the alarm topic; none by default. */
  readonly alarmEmail?: string;
  readonly logRetentionDays?: number;
  readonly consumerMemoryMb?: number;
  readonly healthMemoryMb?: number;
  readonly healthTimeoutSeconds?: number;
  /** Default 2; `'none'` reserves nothing (accounts whose concurrency quota is the minimum 10). */
  readonly healthReservedConcurrency?: number | 'none';
  /** Default: no VPC (the Lambdas reach MongoDB and AWS over the internet). */
  readonly vpc?: LambdaVpcProps;
  /**
   * A PEM file of CA certificates on this machine, copied into both Lambdas, which trust it for
   * MongoDB's TLS (`MONGO_TLS_CA_FILE`). Default: Node's trust store.
   */
  readonly mongoTlsCaFile?: string;
  /**
   * `aws-iam`: both Lambdas authenticate with their execution role (`MONGO_AUTH`); the URI is a
   * plain `mongoUri` without credentials. Default: whatever the URI says.
   */
  readonly mongoAuth?: MongoAuth;
}

/** Every setting the stack is built from, defaults applied and checked. */
export interface OrderProcessingSettings
  extends OrderServiceSettings,
    Omit<DeploymentSettings, 'healthReservedConcurrency' | 'mongoUriSecretName' | 'localMongoUri'> {
  readonly target: DeploymentTarget;
  readonly mongoUri: MongoUriProp;
  readonly databaseName: string;
  readonly logLevel: LogLevel;
  readonly alarmEmail: string | undefined;
  /** `undefined` when nothing is reserved. */
  readonly healthReservedConcurrency: number | undefined;
  readonly vpc: Required<LambdaVpcProps> | undefined;
  /** Absolute path. */
  readonly mongoTlsCaFile: string | undefined;
  readonly mongoAuth: MongoAuth | undefined;
}

const fail = (message: string): never => {
  throw new StackConfigurationError(`Invalid stack setting: ${message}`);
};

const inRange = (name: string, value: number, min: number, max: number): number => {
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(`${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
};

const definedOnly = <T extends object>(props: T): Partial<T> =>
  Object.fromEntries(
    Object.entries(props).filter(([, value]) => value !== undefined),
  ) as Partial<T>;

// Secrets Manager names: 1–512 of these characters; a full ARN is taken as given.
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// EC2 ids: a prefix and 8 or 17 hexadecimal digits.
const ec2Id = (prefix: string) => new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`);
// userinfo before the host list: `mongodb://user:password@host`.
const URI_CREDENTIALS = /^mongodb(?:\+srv)?:\/\/[^/?#]*@/;

/**
 * The environment both Lambdas share, and the consumer's. The health check adds its queue URLs,
 * which are CloudFormation references.
 */
export const lambdaEnvironment = (
  settings: OrderProcessingSettings,
): { readonly shared: Record<string, string>; readonly consumer: Record<string, string> } => {
  const shared = {
    ...('secret' in settings.mongoUri
      ? { MONGO_URI_SECRET_ID: settings.mongoUri.secret }
      : { MONGO_URI: settings.mongoUri.value }),
    ...(settings.mongoTlsCaFile && { MONGO_TLS_CA_FILE: pathInFunction(settings.mongoTlsCaFile) }),
    ...(settings.mongoAuth && { MONGO_AUTH: settings.mongoAuth }),
    MONGO_DB_NAME: settings.databaseName,
    LOG_LEVEL: settings.logLevel,
  };
  return {
    shared,
    consumer: {
      ...shared,
      MONGO_MAX_POOL_SIZE: String(settings.mongoMaxPoolSize),
      IDEMPOTENCY_EXPIRY_SECONDS: String(settings.idempotencyExpirySeconds),
      // With dead-letter-now, the stack adds DLQ_URL (a reference to the queue).
      POISON_MESSAGES: settings.poisonMessages,
    },
  };
};

// The Lambdas validate their environment at cold start; the same check at synth time stops a
// deployment that could only fail there. The message names the variable, never a URI.
const checkLambdaEnvironment = (settings: OrderProcessingSettings): OrderProcessingSettings => {
  if ('secret' in settings.mongoUri) {
    const { secret } = settings.mongoUri;
    if (!SECRET_NAME.test(secret) && !SECRET_ARN.test(secret)) {
      fail('mongoUri.secret must be a Secrets Manager secret name or its full ARN');
    }
  }
  try {
    loadConfig({
      ...lambdaEnvironment(settings).consumer,
      // Known only at deploy time; any URL stands in for it here.
      DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/order-queue-dlq',
    });
  } catch (error) {
    if (error instanceof ConfigurationError)
      fail(error.message.replace(/^Invalid configuration: /, ''));
    throw error;
  }
  return settings;
};

const checkVpc = (vpc: LambdaVpcProps | undefined): OrderProcessingSettings['vpc'] => {
  if (vpc === undefined) return undefined;
  if (!ec2Id('vpc').test(vpc.vpcId)) fail('vpcId must be a VPC id (vpc-…)');
  if (vpc.subnetIds.length === 0) fail('vpc.subnetIds must list at least one subnet');
  if (!vpc.subnetIds.every((id) => ec2Id('subnet').test(id))) {
    fail('subnetIds must be subnet ids (subnet-…), comma-separated');
  }
  const securityGroupIds = vpc.securityGroupIds ?? [];
  if (!securityGroupIds.every((id) => ec2Id('sg').test(id))) {
    fail('securityGroupIds must be security group ids (sg-…), comma-separated');
  }
  return { ...vpc, securityGroupIds, endpoints: vpc.endpoints ?? false };
};

// The path is the operator's, never a secret: messages name it.
const checkCaFile = (file: string | undefined): string | undefined => {
  if (file === undefined) return undefined;
  const path = resolve(file);
  let pem = '';
  try {
    if (statSync(path).isFile()) pem = readFileSync(path, 'utf8');
  } catch {
    fail(`mongoTlsCaFile: no file at ${path}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    fail(`mongoTlsCaFile: ${path} is not a PEM file of CA certificates`);
  }
  return path;
};

const checkMongoAuth = (mongoAuth: string | undefined, mongoUri: MongoUriProp) => {
  if (mongoAuth === undefined) return undefined;
  if (mongoAuth !== 'aws-iam') fail('mongoAuth must be aws-iam, or unset');
  if ('secret' in mongoUri) {
    fail(
      'mongoAuth aws-iam takes the URI from mongoUri (it holds no credentials), not from a secret',
    );
  }
  if ('value' in mongoUri && URI_CREDENTIALS.test(mongoUri.value)) {
    fail('mongoAuth aws-iam needs a mongoUri without user or password');
  }
  return mongoAuth as MongoAuth;
};

/**
 * Applies the defaults of `settings/serviceSettings.ts` (and `lambda/shared/config.ts` for the database) to
 * the props and checks every value against the limits AWS and the service impose. Throws
 * {@link StackConfigurationError} naming the first bad setting; a URI is never echoed.
 */
export const resolveStackSettings = (props: OrderProcessingStackProps): OrderProcessingSettings => {
  const given = definedOnly(props);
  const target = given.target ?? 'aws';
  const settings = {
    ...defaultSettings,
    ...defaultDeploymentSettings,
    ...given,
    target,
    mongoUri:
      given.mongoUri ??
      (target === 'local'
        ? { value: defaultDeploymentSettings.localMongoUri }
        : { secret: defaultDeploymentSettings.mongoUriSecretName }),
    databaseName: given.databaseName ?? configDefaults.MONGO_DB_NAME,
    logLevel: given.logLevel ?? configDefaults.LOG_LEVEL,
    alarmEmail: given.alarmEmail,
  };

  inRange('batchSize', settings.batchSize, 1, 10_000);
  inRange('maxBatchingWindowSeconds', settings.maxBatchingWindowSeconds, 0, 300);
  if (settings.batchSize > 10 && settings.maxBatchingWindowSeconds < 1) {
    fail('batchSize above 10 needs maxBatchingWindowSeconds of at least 1 (an SQS rule)');
  }
  inRange('consumerTimeoutSeconds', settings.consumerTimeoutSeconds, 1, 900);
  inRange('maxReceiveCount', settings.maxReceiveCount, 5, 1_000);
  inRange('maxConcurrency', settings.maxConcurrency, 2, 1_000);
  inRange('mongoMaxPoolSize', settings.mongoMaxPoolSize, 1, 100);
  inRange('idempotencyExpirySeconds', settings.idempotencyExpirySeconds, 60, 30 * 24 * 60 * 60);
  inRange('deadLetterRetentionSeconds', settings.deadLetterRetentionSeconds, 60, 1_209_600);
  inRange('consumerMemoryMb', settings.consumerMemoryMb, 128, 10_240);
  inRange('healthMemoryMb', settings.healthMemoryMb, 128, 10_240);
  const minHealthTimeout = Math.ceil(settings.healthCheckTimeoutMs / 1000) + 1;
  inRange('healthTimeoutSeconds', settings.healthTimeoutSeconds, minHealthTimeout, 900);
  const reserved = settings.healthReservedConcurrency;
  const healthReservedConcurrency =
    reserved === 'none' ? undefined : inRange('healthReservedConcurrency', reserved, 1, 1_000);
  if (!(Object.values(RetentionDays) as unknown[]).includes(settings.logRetentionDays)) {
    fail(
      'logRetentionDays must be one of the CloudWatch Logs retention periods (1, 3, 5, 7, 14, 30, 60, 90, …)',
    );
  }
  if (!(POISON_MESSAGES as readonly string[]).includes(settings.poisonMessages)) {
    fail(`poisonMessages must be one of ${POISON_MESSAGES.join(', ')}`);
  }
  if (settings.functionUrlAuth !== 'NONE' && settings.functionUrlAuth !== 'AWS_IAM') {
    fail('functionUrlAuth must be NONE or AWS_IAM');
  }
  if (settings.alarmEmail !== undefined && !EMAIL.test(settings.alarmEmail)) {
    fail('alarmEmail must be an e-mail address');
  }
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(settings.queueName)) fail('queueName is not a valid SQS name');
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(settings.deadLetterQueueName)) {
    fail('deadLetterQueueName is not a valid SQS name');
  }

  return checkLambdaEnvironment({
    queueName: settings.queueName,
    deadLetterQueueName: settings.deadLetterQueueName,
    batchSize: settings.batchSize,
    maxBatchingWindowSeconds: settings.maxBatchingWindowSeconds,
    consumerTimeoutSeconds: settings.consumerTimeoutSeconds,
    maxReceiveCount: settings.maxReceiveCount,
    maxConcurrency: settings.maxConcurrency,
    mongoMaxPoolSize: settings.mongoMaxPoolSize,
    poisonMessages: settings.poisonMessages,
    idempotencyExpirySeconds: settings.idempotencyExpirySeconds,
    deadLetterRetentionSeconds: settings.deadLetterRetentionSeconds,
    consumerMemoryMb: settings.consumerMemoryMb,
    healthMemoryMb: settings.healthMemoryMb,
    healthTimeoutSeconds: settings.healthTimeoutSeconds,
    healthCheckTimeoutMs: settings.healthCheckTimeoutMs,
    healthReservedConcurrency,
    functionUrlAuth: settings.functionUrlAuth,
    logRetentionDays: settings.logRetentionDays,
    target,
    mongoUri: settings.mongoUri,
    databaseName: settings.databaseName,
    logLevel: settings.logLevel,
    alarmEmail: settings.alarmEmail,
    vpc: checkVpc(given.vpc),
    mongoTlsCaFile: checkCaFile(given.mongoTlsCaFile),
    mongoAuth: checkMongoAuth(given.mongoAuth, settings.mongoUri),
  });
};
