import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DEFAULT_STACK_NAME } from '../../infra/createOrderServiceApp.js';
import { projectRoot } from '../../infra/lambdaBundling.js';
import { configDefaults } from '../../lambda/shared/config.js';
import { type MongoTarget, readDeployedMongo } from '../../local/commands/deployedMongo.js';

/** The outputs `npm run deploy:local` wrote for the stack. */
export interface StackOutputs {
  readonly QueueUrl: string;
  readonly DeadLetterQueueUrl: string;
  readonly HealthUrl: string;
  readonly ConsumerFunctionName: string;
  readonly Region: string;
}

/** What the end-to-end test talks to. */
export interface LocalStackDeployment {
  readonly outputs: StackOutputs;
  /** The emulator's endpoint, as deploy-local.sh uses it (`AWS_ENDPOINT_URL`, else LocalStack's). */
  readonly endpoint: string;
  readonly sqs: SQSClient;
  /** The deployment's MongoDB on this machine: `E2E_MONGO_URI`, else the consumer's own. */
  readonly mongo: MongoTarget;
}

type Env = Readonly<Record<string, string | undefined>>;

const HOW_TO_DEPLOY =
  'start an emulator (`npm run emulator`, or `docker compose up -d --wait` for LocalStack), ' +
  'then `AWS_ENDPOINT_URL=… npm run deploy:local -- -c mongoUri=…`';

/**
 * Reads `cdk-outputs.local.json` (or `E2E_OUTPUTS_FILE`) and builds clients for the deployment;
 * nothing else is needed but the endpoint the stack was deployed to. Fails with what to run when
 * the stack has not been deployed.
 */
export const openLocalStackDeployment = async (
  env: Env = process.env,
): Promise<LocalStackDeployment> => {
  const outputsFile = env.E2E_OUTPUTS_FILE ?? join(projectRoot, 'cdk-outputs.local.json');
  if (!existsSync(outputsFile)) {
    throw new Error(`${outputsFile} not found: ${HOW_TO_DEPLOY}, then rerun npm run test:e2e.`);
  }
  const stackName = env.STACK_NAME ?? DEFAULT_STACK_NAME;
  const outputs = JSON.parse(readFileSync(outputsFile, 'utf8'))[stackName] as StackOutputs;
  if (!outputs?.QueueUrl) {
    throw new Error(`${outputsFile} holds no outputs of stack ${stackName}; ${HOW_TO_DEPLOY}.`);
  }
  const endpoint =
    env.AWS_ENDPOINT_URL ?? `http://localhost.localstack.cloud:${env.LOCALSTACK_PORT ?? '4566'}`;
  const mongo =
    env.E2E_MONGO_URI === undefined
      ? await readDeployedMongo({
          endpoint,
          region: outputs.Region,
          functionName: outputs.ConsumerFunctionName,
          env,
        }).catch((error: Error) => {
          throw new Error(
            `The emulator at ${endpoint} does not answer for the deployed consumer (${error.name}: ${error.message}); set AWS_ENDPOINT_URL to the endpoint you deployed to, or ${HOW_TO_DEPLOY}.`,
          );
        })
      : { uri: env.E2E_MONGO_URI, databaseName: env.MONGO_DB_NAME ?? configDefaults.MONGO_DB_NAME };
  return {
    outputs,
    endpoint,
    sqs: new SQSClient({
      endpoint,
      region: outputs.Region,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }),
    mongo,
  };
};
