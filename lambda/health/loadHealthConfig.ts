import { loadSharedConfig, type SharedConfig } from '../shared/config.js';
import { ConfigurationError } from '../shared/errors.js';

/** The health check's settings, read from the environment once per container. */
export interface HealthConfig extends SharedConfig {
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const queueUrl = (env: Env, variable: 'QUEUE_URL' | 'DLQ_URL'): string => {
  const value = env[variable]?.trim();
  let url: URL | undefined;
  try {
    url = value ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!value || (url?.protocol !== 'https:' && url?.protocol !== 'http:')) {
    throw new ConfigurationError(
      `Invalid configuration: ${variable} must be an SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>)`,
    );
  }
  return value;
};

/**
 * Reads `QUEUE_URL`, `DLQ_URL` and the MongoDB settings the consumer also uses (`MONGO_URI` or
 * `MONGO_URI_SECRET_ID`, `MONGO_TLS_CA_FILE`, `MONGO_AUTH`, `MONGO_DB_NAME`, `LOG_LEVEL`). Throws
 * {@link ConfigurationError} with one line naming the first bad variable, never its value.
 */
export const loadHealthConfig = (env: Env): HealthConfig => {
  const deadLetterQueueUrl = queueUrl(env, 'DLQ_URL');
  const orderQueueUrl = queueUrl(env, 'QUEUE_URL');
  return { queueUrl: orderQueueUrl, deadLetterQueueUrl, ...loadSharedConfig(env) };
};
