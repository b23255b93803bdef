import type { LogLevel } from '../lambda/shared/config.js';
import { defaultDeploymentSettings, type FunctionUrlAuth } from '../settings/serviceSettings.js';
import { StackConfigurationError } from './errors.js';
import type {
  DeploymentTarget,
  LambdaVpcProps,
  MongoUriProp,
  OrderProcessingStackProps,
} from './orderProcessingStackProps.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Context keys holding whole numbers, passed straight to the stack prop of the same name. */
const NUMBER_KEYS = [
  'batchSize',
  'maxBatchingWindowSeconds',
  'consumerTimeoutSeconds',
  'maxReceiveCount',
  'maxConcurrency',
  'mongoMaxPoolSize',
  'idempotencyExpirySeconds',
  'deadLetterRetentionSeconds',
  'consumerMemoryMb',
  'healthMemoryMb',
  'healthTimeoutSeconds',
  'logRetentionDays',
] as const;

const STRING_KEYS = [
  'queueName',
  'deadLetterQueueName',
  'databaseName',
  'alarmEmail',
  'poisonMessages',
] as const;

/** Every CDK context key the app reads (`-c key=value`); any other key is none of ours. */
export const CONTEXT_KEYS = [
  'stackName',
  'target',
  'mongoUri',
  'mongoUriSecret',
  'mongoAuth',
  'mongoTlsCaFile',
  'functionUrlAuth',
  'logLevel',
  'healthReservedConcurrency',
  'vpcId',
  'subnetIds',
  'securityGroupIds',
  'vpcEndpoints',
  ...NUMBER_KEYS,
  ...STRING_KEYS,
] as const;

/** One of {@link CONTEXT_KEYS}. */
export type ContextKey = (typeof CONTEXT_KEYS)[number];

/** Reads one context key; `undefined` when unset. */
export type ContextReader = (key: ContextKey) => unknown;

const fail = (message: string): never => {
  throw new StackConfigurationError(`Invalid CDK context: ${message}`);
};

const text = (value: unknown): string | undefined =>
  value === undefined || value === null || String(value).trim() === ''
    ? undefined
    : String(value).trim();

const wholeNumber = (key: string, value: unknown): number | undefined => {
  const raw = text(value);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) fail(`${key} must be a whole number`);
  return Number(raw);
};

// `-c subnetIds=a,b` on the command line; an array from cdk.json.
const list = (value: unknown): string[] | undefined => {
  const items = (Array.isArray(value) ? value : String(text(value) ?? '').split(','))
    .map(text)
    .filter((item): item is string => item !== undefined);
  return items.length === 0 ? undefined : items;
};

const flag = (key: ContextKey, value: unknown): boolean | undefined => {
  const raw = text(value);
  if (raw === undefined) return undefined;
  if (raw !== 'true' && raw !== 'false') fail(`${key} must be true or false`);
  return raw === 'true';
};

// cdklocal points AWS_ENDPOINT_URL at LocalStack for the app it runs.
const isLocalEndpoint = (endpoint: string | undefined): boolean =>
  endpoint !== undefined && /localstack|localhost|127\.0\.0\.1/.test(endpoint);

const targetOf = (value: unknown, env: Env): DeploymentTarget => {
  const raw = text(value);
  if (raw === undefined) return isLocalEndpoint(env.AWS_ENDPOINT_URL) ? 'local' : 'aws';
  if (raw !== 'aws' && raw !== 'local') fail('target must be aws or local');
  return raw as DeploymentTarget;
};

const vpcOf = (context: ContextReader): LambdaVpcProps | undefined => {
  const vpcId = text(context('vpcId'));
  const subnetIds = list(context('subnetIds'));
  const securityGroupIds = list(context('securityGroupIds'));
  const endpoints = flag('vpcEndpoints', context('vpcEndpoints'));
  if (vpcId === undefined) {
    if (subnetIds !== undefined) fail('subnetIds needs vpcId, the VPC of those subnets');
    if (securityGroupIds !== undefined) fail('securityGroupIds needs vpcId and subnetIds');
    if (endpoints) fail('vpcEndpoints needs vpcId and subnetIds');
    return undefined;
  }
  if (subnetIds === undefined) {
    return fail('vpcId needs subnetIds, the Lambdas’ subnets, e.g. -c subnetIds=subnet-a,subnet-b');
  }
  return { vpcId, subnetIds, securityGroupIds, endpoints };
};

const mongoTlsCaFileOf = (context: ContextReader, env: Env): string | undefined => {
  const file = text(context('mongoTlsCaFile'));
  if (file !== undefined && env.DEPLOY_LOCAL_EMULATOR === 'ministack') {
    fail(
      'MiniStack runs the Lambdas as local processes, without /var/task: leave out mongoTlsCaFile and put tlsCAFile=<absolute path> in mongoUri',
    );
  }
  return file;
};

const mongoUriOf = (context: ContextReader, env: Env): MongoUriProp | undefined => {
  const secret = text(context('mongoUriSecret'));
  const value = text(context('mongoUri'));
  if (secret !== undefined && value !== undefined) fail('set mongoUriSecret or mongoUri, not both');
  if (secret !== undefined) return { secret };
  if (value !== undefined) return { value };
  // Set by scripts/deploy-local.sh: MiniStack runs the Lambdas as processes on the deploying
  // machine, where the compose default's host name does not resolve.
  if (env.DEPLOY_LOCAL_EMULATOR === 'ministack') {
    fail(
      'MiniStack runs the Lambdas as local processes, which cannot reach the compose MongoDB ' +
        `(${defaultDeploymentSettings.localMongoUri}): give the URI, e.g. -c mongoUri=mongodb://127.0.0.1:27017/`,
    );
  }
  return undefined;
};

/**
 * Reads the stack props users change from CDK context, e.g.
 * `cdk deploy -c mongoUriSecret=prod/mongo-uri -c alarmEmail=ops@example.com -c maxConcurrency=10`.
 * Keys: `target` (`aws`|`local`; default `local` when AWS_ENDPOINT_URL points at LocalStack, as
 * under cdklocal), `mongoUriSecret` (name or ARN) or `mongoUri` (required when
 * `DEPLOY_LOCAL_EMULATOR` is `ministack`), `functionUrlAuth`, `logLevel`,
 * `healthReservedConcurrency` (a number or `none`), `vpcId` with `subnetIds` (comma-separated)
 * and optionally `securityGroupIds` and `vpcEndpoints` (`true`|`false`), `mongoTlsCaFile` (a path),
 * `mongoAuth` (`aws-iam`), the names in {@link NUMBER_KEYS} and {@link STRING_KEYS}. Unset keys
 * keep the defaults of `settings/serviceSettings.ts`.
 */
export const stackPropsFromContext = (
  context: ContextReader,
  env: Env,
): OrderProcessingStackProps => {
  const props: Record<string, unknown> = {
    target: targetOf(context('target'), env),
    mongoUri: mongoUriOf(context, env),
    mongoAuth: text(context('mongoAuth')),
    mongoTlsCaFile: mongoTlsCaFileOf(context, env),
    vpc: vpcOf(context),
    functionUrlAuth: text(context('functionUrlAuth'))?.toUpperCase() as FunctionUrlAuth | undefined,
    logLevel: text(context('logLevel'))?.toUpperCase() as LogLevel | undefined,
  };
  for (const key of NUMBER_KEYS) props[key] = wholeNumber(key, context(key));
  for (const key of STRING_KEYS) props[key] = text(context(key));
  const reserved = text(context('healthReservedConcurrency'));
  props.healthReservedConcurrency =
    reserved === 'none' ? 'none' : wholeNumber('healthReservedConcurrency', reserved);
  return props as OrderProcessingStackProps;
};
