import { configDefaults, type LogLevel } from '../../lambda/shared/config.js';
import {
  defaultSettings,
  POISON_MESSAGES,
  type PoisonMessages,
} from '../../settings/serviceSettings.js';
import { UsageError } from '../cli/errors.js';
import type { LocalSettingsOverrides } from './localSettings.js';

/** What `npm run dev` reads from its environment. */
export interface DevOptions {
  readonly sqsPort: number;
  readonly healthPort: number;
  readonly mongoUri: string | undefined;
  readonly databaseName: string;
  readonly region: string;
  readonly logLevel: LogLevel;
  readonly logFormat: 'json' | 'pretty' | 'auto';
  readonly pollers: number | undefined;
  readonly settings: LocalSettingsOverrides;
  /** Passed to the functions as they are, checked by their configuration (MONGO_TLS_CA_FILE…). */
  readonly environment: Readonly<Record<string, string>>;
}

/** Variables `npm run dev` reads, with their defaults, for the help text and the docs. */
export const devVariables = {
  SQS_PORT: '4566',
  HEALTH_PORT: '3000',
  MONGO_URI: '(unset: embedded MongoDB)',
  MONGO_DB_NAME: configDefaults.MONGO_DB_NAME,
  MONGO_TLS_CA_FILE: '(unset: TLS as MONGO_URI says)',
  MONGO_AUTH: `${configDefaults.MONGO_AUTH} (or aws-iam)`,
  AWS_REGION: 'us-east-1',
  LOG_LEVEL: configDefaults.LOG_LEVEL,
  LOG_FORMAT: 'auto (pretty on a terminal, json otherwise)',
  POLLERS: `${defaultSettings.maxConcurrency} (maxConcurrency)`,
  CONSUMER_TIMEOUT_SECONDS: `${defaultSettings.consumerTimeoutSeconds} (consumerTimeoutSeconds)`,
  VISIBILITY_TIMEOUT_SECONDS: 'consumer timeout + batching window + 1',
  MAX_RECEIVE_COUNT: `${defaultSettings.maxReceiveCount} (maxReceiveCount)`,
  POISON_MESSAGES: `${defaultSettings.poisonMessages} (or ${POISON_MESSAGES.filter((p) => p !== defaultSettings.poisonMessages).join(', ')})`,
} as const;

type Env = Readonly<Record<string, string | undefined>>;

// How the functions reach MongoDB, as on AWS: read by them, not here.
const FUNCTION_VARIABLES = ['MONGO_TLS_CA_FILE', 'MONGO_AUTH'];

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'];

const read = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
};

const whole = (env: Env, name: string, min: number, max: number): number | undefined => {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}`);
  }
  return Number(raw);
};

/**
 * Reads the dev runtime's variables. Throws {@link UsageError} naming the first bad one; values
 * are never echoed (MONGO_URI may hold a password).
 */
export const devOptionsFromEnvironment = (env: Env): DevOptions => {
  const logLevel = (read(env, 'LOG_LEVEL') ?? configDefaults.LOG_LEVEL).toUpperCase();
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new UsageError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const logFormat = read(env, 'LOG_FORMAT') ?? 'auto';
  if (logFormat !== 'json' && logFormat !== 'pretty' && logFormat !== 'auto') {
    throw new UsageError('LOG_FORMAT must be json, pretty or auto');
  }
  const consumerTimeoutSeconds = whole(env, 'CONSUMER_TIMEOUT_SECONDS', 1, 900);
  const visibilityTimeoutSeconds = whole(env, 'VISIBILITY_TIMEOUT_SECONDS', 0, 43_200);
  const maxReceiveCount = whole(env, 'MAX_RECEIVE_COUNT', 1, 1_000);
  const poisonMessages = read(env, 'POISON_MESSAGES');
  if (
    poisonMessages !== undefined &&
    !(POISON_MESSAGES as readonly string[]).includes(poisonMessages)
  ) {
    throw new UsageError(`POISON_MESSAGES must be one of ${POISON_MESSAGES.join(', ')}`);
  }
  return {
    sqsPort: whole(env, 'SQS_PORT', 0, 65_535) ?? 4566,
    healthPort: whole(env, 'HEALTH_PORT', 0, 65_535) ?? 3000,
    mongoUri: read(env, 'MONGO_URI'),
    databaseName: read(env, 'MONGO_DB_NAME') ?? configDefaults.MONGO_DB_NAME,
    region: read(env, 'AWS_REGION') ?? read(env, 'AWS_DEFAULT_REGION') ?? 'us-east-1',
    logLevel: logLevel as LogLevel,
    logFormat,
    pollers: whole(env, 'POLLERS', 1, 100),
    settings: {
      ...(consumerTimeoutSeconds === undefined ? {} : { consumerTimeoutSeconds }),
      ...(visibilityTimeoutSeconds === undefined ? {} : { visibilityTimeoutSeconds }),
      ...(maxReceiveCount === undefined ? {} : { maxReceiveCount }),
      ...(poisonMessages === undefined ? {} : { poisonMessages: poisonMessages as PoisonMessages }),
    },
    environment: Object.fromEntries(
      FUNCTION_VARIABLES.flatMap((name) => {
        const value = read(env, name);
        return value === undefined ? [] : [[name, value]];
      }),
    ),
  };
};
