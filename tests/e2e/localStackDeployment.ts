import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DEFAULT_STACK_NAME } from '../../infra/createOrderServiceApp.js';
import { projectRoot } from '../../infra/lambdaBundling.js';
import { localStackFunctionUrl } from '../../infra/localStackFunctionUrl.js';
import { configDefaults } from '../../lambda/shared/config.js';

/** The outputs `npm run deploy:local` wrote for the stack. */
export interface StackOutputs {
  readonly QueueUrl: string;
  readonly DeadLetterQueueUrl: string;
  readonly HealthUrl: string;
  readonly DashboardName: string;
  readonly Region: string;
}

/** What the end-to-end test talks to. */
export interface LocalStackDeployment {
  readonly outputs: StackOutputs;
  /** LocalStack's endpoint on the host (`AWS_ENDPOINT_URL`, as deploy-local.sh uses it). */
  readonly endpoint: string;
  readonly sqs: SQSClient;
  /** The health URL as the host reaches it. */
  readonly healthUrl: string;
  /** The compose MongoDB, published on the host. */
  readonly mongoUri: string;
  /** The database the stack was deployed with (`MONGO_DB_NAME`, default `order_db`). */
  readonly databaseName: string;
}

/**
 * Reads `cdk-outputs.local.json` (or `E2E_OUTPUTS_FILE`) and builds clients for the deployment.
 * Fails with what to run when the stack has not been deployed.
 */
export const localStackDeployment = (
  env: Readonly<Record<string, string | undefined>> = process.env,
): LocalStackDeployment => {
  const outputsFile = env.E2E_OUTPUTS_FILE ?? join(projectRoot, 'cdk-outputs.local.json');
  if (!existsSync(outputsFile)) {
    throw new Error(
      'cdk-outputs.local.json not found: start LocalStack and MongoDB with `docker compose up -d --wait` ' +
        '(LOCALSTACK_AUTH_TOKEN set), then `npm run deploy:local`, then rerun `npm run test:e2e`.',
    );
  }
  const stackName = env.STACK_NAME ?? DEFAULT_STACK_NAME;
  const outputs = JSON.parse(readFileSync(outputsFile, 'utf8'))[stackName] as StackOutputs;
  if (!outputs?.QueueUrl) {
    throw new Error(
      `cdk-outputs.local.json holds no outputs of stack ${stackName}; rerun npm run deploy:local`,
    );
  }
  const endpoint =
    env.AWS_ENDPOINT_URL ?? `http://localhost.localstack.cloud:${env.LOCALSTACK_PORT ?? '4566'}`;
  return {
    outputs,
    endpoint,
    // The queue URLs name LocalStack's host; requests go to the endpoint whatever they say.
    sqs: new SQSClient({
      endpoint,
      region: outputs.Region,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      useQueueUrlAsEndpoint: false,
    }),
    // deploy-local.sh already wrote it in LocalStack's form; mapping again is a no-op then.
    healthUrl: localStackFunctionUrl(outputs.HealthUrl, endpoint),
    mongoUri: env.E2E_MONGO_URI ?? `mongodb://127.0.0.1:${env.MONGO_HOST_PORT ?? '27017'}/`,
    databaseName: env.MONGO_DB_NAME ?? configDefaults.MONGO_DB_NAME,
  };
};
