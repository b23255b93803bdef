import { resolve } from 'node:path';
import { defaultSettings } from '../../settings/serviceSettings.js';
import {
  type DevEndpoints,
  isProcessAlive,
  readDevEndpoints,
} from '../runtime/devEndpointsFile.js';
import { type DeployOutputs, readDeployOutputs } from './readDeployOutputs.js';

/** A queue known by URL, or by name (looked up with GetQueueUrl). */
export type QueueRef = { readonly url: string } | { readonly name: string };

/** Where the operator commands send to and read from. */
export interface SqsTarget {
  /** One line naming the target, printed by every command. */
  readonly description: string;
  /** `undefined`: the SDK's own endpoint resolution (AWS). */
  readonly endpoint: string | undefined;
  /** `undefined`: the SDK's region chain (profile…). */
  readonly region: string | undefined;
  /** A local endpoint and no credentials configured: any static pair is accepted there. */
  readonly useTestCredentials: boolean;
  readonly queue: QueueRef;
  /** `undefined`: read from the queue's redrive policy. */
  readonly deadLetterQueue: QueueRef | undefined;
  /** The database of a running dev runtime, to compare DLQ messages with stored orders. */
  readonly mongo: { readonly uri: string; readonly databaseName: string } | undefined;
  /**
   * The consumer Lambda of a local deployment (from `cdk-outputs.local.json`): its configuration
   * names the deployment's MongoDB when `mongo` is unknown (`local/commands/deployedMongo.ts`).
   */
  readonly deployedConsumer: string | undefined;
  /** What to do when nothing answers at the endpoint. */
  readonly unreachableHint: string;
}

/** What {@link resolveSqsTarget} looks at; the defaults read the real environment and files. */
export interface TargetSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly devEndpoints?: () => DevEndpoints | undefined;
  readonly isProcessAlive?: (pid: number) => boolean;
  readonly deployOutputs?: (file: string) => DeployOutputs | undefined;
  readonly projectRoot?: string;
}

/** Where LocalStack and `npm run dev` listen unless told otherwise. */
const DEFAULT_LOCAL_ENDPOINT = 'http://localhost:4566';

const LOCAL_HOST = /^(localhost|127\.0\.0\.1|\[::1\]|.*\.localhost|.*\.localstack\.cloud)$/i;

const read = (env: TargetSources['env'], name: string): string | undefined => {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
};

const isLocal = (endpoint: string | undefined): boolean => {
  if (endpoint === undefined) return false;
  try {
    return LOCAL_HOST.test(new URL(endpoint).hostname);
  } catch {
    return false;
  }
};

/** `sqs.<region>.…` hosts (AWS, LocalStack, fauxqs) name their region. */
export const regionOfQueueUrl = (queueUrl: string): string | undefined => {
  try {
    return /^sqs\.([a-z0-9-]+)\./.exec(new URL(queueUrl).hostname)?.[1];
  } catch {
    return undefined;
  }
};

/**
 * fauxqs answers with `http://sqs.<region>.localhost:<port>/…` URLs, a host that does not resolve
 * everywhere; such a URL's endpoint is `http://localhost:<port>`.
 */
const endpointOfLocalQueueUrl = (queueUrl: string): string | undefined => {
  try {
    const url = new URL(queueUrl);
    return url.hostname.endsWith('.localhost')
      ? `${url.protocol}//localhost:${url.port}`
      : undefined;
  } catch {
    return undefined;
  }
};

const DEV_HINT =
  'Is `npm run dev` running? To target another endpoint set AWS_ENDPOINT_URL or QUEUE_URL.';

/**
 * Chooses the SQS endpoint and queues, first match wins:
 *
 * 1. `QUEUE_URL` (and `DLQ_URL`, else the queue's redrive policy), at `AWS_ENDPOINT_URL_SQS` /
 *    `AWS_ENDPOINT_URL` or the SDK's default endpoint;
 * 2. `AWS_ENDPOINT_URL_SQS` / `AWS_ENDPOINT_URL`: the queues of `cdk-outputs.local.json`, else the
 *    queue names from the shared settings;
 * 3. a running `npm run dev` (`.dev-data/endpoints.json`, its process alive);
 * 4. `cdk-outputs.local.json` (LocalStack's default, `http://localhost:4566`);
 * 5. `cdk-outputs.json` (AWS: endpoint, region and credentials from the SDK's chain);
 * 6. the dev defaults: `http://localhost:4566` and the queue names from the shared settings.
 *
 * The region is `AWS_REGION`/`AWS_DEFAULT_REGION`, else the outputs file's `Region`, else the
 * queue URL's, else (local targets) `us-east-1`; a running dev runtime's own region wins for that
 * target. A target from `cdk-outputs.local.json` is an emulator whatever its host: any static
 * credentials do there.
 */
export const resolveSqsTarget = (sources: TargetSources): SqsTarget => {
  const { env } = sources;
  const root = sources.projectRoot ?? resolve(import.meta.dirname, '..', '..');
  const outputs = sources.deployOutputs ?? ((file: string) => readDeployOutputs(file));
  const localOutputs = () => outputs(resolve(root, 'cdk-outputs.local.json'));
  const envRegion = read(env, 'AWS_REGION') ?? read(env, 'AWS_DEFAULT_REGION');
  const endpointVariable = read(env, 'AWS_ENDPOINT_URL_SQS') ?? read(env, 'AWS_ENDPOINT_URL');
  const hasCredentials =
    read(env, 'AWS_ACCESS_KEY_ID') !== undefined || read(env, 'AWS_PROFILE') !== undefined;
  const mongoFromEnv = read(env, 'MONGO_URI');
  const mongo = (fallback?: DevEndpoints) =>
    mongoFromEnv !== undefined
      ? { uri: mongoFromEnv, databaseName: read(env, 'MONGO_DB_NAME') ?? 'order_db' }
      : fallback === undefined
        ? undefined
        : { uri: fallback.mongoUri, databaseName: fallback.databaseName };

  const target = (
    description: string,
    endpoint: string | undefined,
    queue: QueueRef,
    deadLetterQueue: QueueRef | undefined,
    hint: string,
    more: { region?: string; dev?: DevEndpoints; deployed?: DeployOutputs } = {},
  ): SqsTarget => {
    // A local deployment's endpoint is an emulator, whatever its host.
    const local = isLocal(endpoint) || (endpoint !== undefined && more.deployed !== undefined);
    const queueRegion = 'url' in queue ? regionOfQueueUrl(queue.url) : undefined;
    return {
      description,
      endpoint,
      region:
        more.region ??
        envRegion ??
        more.deployed?.region ??
        queueRegion ??
        (local ? 'us-east-1' : undefined),
      useTestCredentials: local && !hasCredentials,
      queue,
      deadLetterQueue,
      mongo: mongo(more.dev),
      deployedConsumer: endpoint === undefined ? undefined : more.deployed?.consumerFunctionName,
      unreachableHint: hint,
    };
  };
  /** The queues of an outputs file. */
  const fromOutputs = (
    deployed: DeployOutputs,
    description: string,
    endpoint: string | undefined,
    hint: string,
  ): SqsTarget =>
    target(
      description,
      endpoint,
      { url: deployed.queueUrl },
      deployed.deadLetterQueueUrl === undefined ? undefined : { url: deployed.deadLetterQueueUrl },
      hint,
      { deployed },
    );
  const byName = { name: defaultSettings.queueName };
  const dlqByName = { name: defaultSettings.deadLetterQueueName };

  const queueUrl = read(env, 'QUEUE_URL');
  if (queueUrl !== undefined) {
    const dlqUrl = read(env, 'DLQ_URL');
    const endpoint = endpointVariable ?? endpointOfLocalQueueUrl(queueUrl);
    return target(
      `QUEUE_URL at ${endpoint ?? 'the AWS endpoint'}`,
      endpoint,
      { url: queueUrl },
      dlqUrl === undefined ? undefined : { url: dlqUrl },
      'Check QUEUE_URL and AWS_ENDPOINT_URL.',
    );
  }

  if (endpointVariable !== undefined) {
    const deployed = localOutputs();
    return deployed === undefined
      ? target(
          `AWS_ENDPOINT_URL ${endpointVariable}, queue ${byName.name}`,
          endpointVariable,
          byName,
          dlqByName,
          'Check AWS_ENDPOINT_URL, or unset it to use `npm run dev`.',
        )
      : fromOutputs(
          deployed,
          `AWS_ENDPOINT_URL ${endpointVariable}, queues from ${deployed.file}`,
          endpointVariable,
          'Check AWS_ENDPOINT_URL, or start the emulator and run `npm run deploy:local`.',
        );
  }

  const dev = (sources.devEndpoints ?? readDevEndpoints)();
  if (dev !== undefined && (sources.isProcessAlive ?? isProcessAlive)(dev.pid)) {
    return target(
      `npm run dev (pid ${dev.pid}) at ${dev.sqsEndpoint}`,
      dev.sqsEndpoint,
      { url: dev.queueUrl },
      { url: dev.deadLetterQueueUrl },
      DEV_HINT,
      { region: dev.region, dev },
    );
  }

  const localStack = localOutputs();
  if (localStack !== undefined) {
    return fromOutputs(
      localStack,
      `LocalStack at ${DEFAULT_LOCAL_ENDPOINT}, queues from ${localStack.file}`,
      DEFAULT_LOCAL_ENDPOINT,
      'Is the emulator running? Set AWS_ENDPOINT_URL to the one you deployed to, or start `npm run dev` to use the local runtime.',
    );
  }

  const aws = outputs(resolve(root, 'cdk-outputs.json'));
  if (aws !== undefined) {
    return fromOutputs(
      aws,
      `AWS, queues from ${aws.file}`,
      undefined,
      'Check your network and AWS configuration (AWS_REGION, AWS_PROFILE).',
    );
  }

  return target(
    `${DEFAULT_LOCAL_ENDPOINT} (the npm run dev default), queue ${byName.name}`,
    DEFAULT_LOCAL_ENDPOINT,
    byName,
    dlqByName,
    DEV_HINT,
  );
};
