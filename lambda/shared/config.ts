import { MongoClient } from 'mongodb';
import {
  defaultSettings,
  POISON_MESSAGES,
  type PoisonMessages,
} from '../../settings/serviceSettings.js';
import { ConfigurationError } from './errors.js';
import { mongoSecurityOptions } from './mongoSecurityOptions.js';

/** Where the MongoDB connection string comes from. */
export type MongoUriSource =
  | { readonly kind: 'value'; readonly uri: string }
  | { readonly kind: 'secret'; readonly secretId: string };

/** How the clients authenticate: as the connection string says, or as the execution role. */
export type MongoAuth = 'default' | 'aws-iam';

/** What the clients add to the connection string: a CA to trust, and how to authenticate. */
export interface MongoSecurity {
  /** PEM file of the CA that signs the server's certificate (`MONGO_TLS_CA_FILE`); TLS is on. */
  readonly tlsCaFile?: string;
  /** `aws-iam` (`MONGO_AUTH`): `MONGODB-AWS` with the execution role's credentials. */
  readonly auth: MongoAuth;
}

/** The settings both Lambdas read: where MongoDB is, how to reach it, and how much to log. */
export interface SharedConfig {
  readonly mongoUri: MongoUriSource;
  readonly mongoSecurity: MongoSecurity;
  readonly databaseName: string;
  readonly logLevel: LogLevel;
}

/** The consumer's settings, read from the environment once per container. */
export interface ConsumerConfig extends SharedConfig {
  readonly ordersCollection: string;
  readonly idempotencyCollection: string;
  readonly idempotencyExpirySeconds: number;
  readonly mongoMaxPoolSize: number;
  /** Where poison messages go; with `dead-letter-now`, the DLQ they are copied to. */
  readonly poisonMessages:
    | { readonly policy: 'dead-letter-now'; readonly deadLetterQueueUrl: string }
    | { readonly policy: 'redrive' };
}

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
/** Log levels the Powertools Logger accepts. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Environment variables the consumer and the health check read, with their defaults. */
export const configDefaults = {
  MONGO_DB_NAME: 'order_db',
  ORDERS_COLLECTION: 'orders',
  IDEMPOTENCY_COLLECTION: 'idempotency',
  IDEMPOTENCY_EXPIRY_SECONDS: defaultSettings.idempotencyExpirySeconds,
  MONGO_MAX_POOL_SIZE: defaultSettings.mongoMaxPoolSize,
  POISON_MESSAGES: defaultSettings.poisonMessages,
  LOG_LEVEL: 'INFO',
  MONGO_AUTH: 'default',
} as const;

// MongoDB forbids these in database names; collection names must not start with `system.` or hold `$`.
const DATABASE_NAME = /^[^/\\. "$*<>:|?\0]{1,63}$/;
const COLLECTION_NAME = /^(?!system\.)[^$\0]{1,120}$/;

type Env = Readonly<Record<string, string | undefined>>;

const read = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
};

const fail = (message: string): never => {
  throw new ConfigurationError(`Invalid configuration: ${message}`);
};

const name = (env: Env, variable: keyof typeof configDefaults, pattern: RegExp): string => {
  const value = read(env, variable) ?? String(configDefaults[variable]);
  if (!pattern.test(value)) fail(`${variable} is not a valid MongoDB name`);
  return value;
};

const integer = (
  env: Env,
  variable: keyof typeof configDefaults,
  min: number,
  max: number,
): number => {
  const raw = read(env, variable);
  if (raw === undefined) return Number(configDefaults[variable]);
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    fail(`${variable} must be a whole number from ${min} to ${max}`);
  }
  return value;
};

// Constructing a client parses the URI and its options as the driver will, without connecting.
const driverRefuses = (uri: string, security?: MongoSecurity): boolean => {
  try {
    new MongoClient(uri, security && mongoSecurityOptions(security));
    return false;
  } catch {
    return true;
  }
};

/**
 * Checks a MongoDB connection string the way the driver will read it, without ever echoing it: it
 * may carry credentials.
 */
export const assertMongoUri = (variable: string, uri: string): string => {
  if (driverRefuses(uri)) {
    fail(
      `${variable} is not a valid MongoDB connection string (expected mongodb://host:port or mongodb+srv://host)`,
    );
  }
  return uri;
};

const mongoUriSource = (env: Env): MongoUriSource => {
  const uri = read(env, 'MONGO_URI');
  const secretId = read(env, 'MONGO_URI_SECRET_ID');
  if (uri !== undefined && secretId !== undefined) {
    return fail('set MONGO_URI or MONGO_URI_SECRET_ID, not both');
  }
  if (secretId !== undefined) return { kind: 'secret', secretId };
  if (uri === undefined) {
    return fail(
      'MONGO_URI is required (or MONGO_URI_SECRET_ID, a Secrets Manager secret holding it)',
    );
  }
  return { kind: 'value', uri: assertMongoUri('MONGO_URI', uri) };
};

const mongoSecurityOf = (env: Env, source: MongoUriSource): MongoSecurity => {
  const auth = read(env, 'MONGO_AUTH') ?? configDefaults.MONGO_AUTH;
  if (auth !== 'default' && auth !== 'aws-iam') fail('MONGO_AUTH must be default or aws-iam');
  const tlsCaFile = read(env, 'MONGO_TLS_CA_FILE');
  const security = { auth, ...(tlsCaFile && { tlsCaFile }) } as MongoSecurity;
  // The driver refuses a username, a password or an authSource but $external with MONGODB-AWS; a
  // URI without them is no secret.
  if (auth === 'aws-iam' && (source.kind === 'secret' || driverRefuses(source.uri, { auth }))) {
    fail('MONGO_AUTH=aws-iam needs MONGO_URI (not a secret) without credentials');
  }
  if (source.kind === 'value' && tlsCaFile && driverRefuses(source.uri, security)) {
    fail('MONGO_URI must not say tls=false with MONGO_TLS_CA_FILE');
  }
  return security;
};

const poisonMessagesOf = (env: Env): ConsumerConfig['poisonMessages'] => {
  const policy = read(env, 'POISON_MESSAGES') ?? configDefaults.POISON_MESSAGES;
  if (!(POISON_MESSAGES as readonly string[]).includes(policy)) {
    fail(`POISON_MESSAGES must be one of ${POISON_MESSAGES.join(', ')}`);
  }
  if ((policy as PoisonMessages) === 'redrive') return { policy: 'redrive' };
  const deadLetterQueueUrl = read(env, 'DLQ_URL');
  if (deadLetterQueueUrl === undefined || !/^https?:\/\/\S+$/.test(deadLetterQueueUrl)) {
    return fail(
      'DLQ_URL must be the dead-letter queue URL when POISON_MESSAGES is dead-letter-now',
    );
  }
  return { policy: 'dead-letter-now', deadLetterQueueUrl };
};

/**
 * Reads and validates the settings both Lambdas share. Throws {@link ConfigurationError} with one
 * line naming the first bad variable; the message never contains a variable's value.
 */
export const loadSharedConfig = (env: Env): SharedConfig => {
  const logLevel = (read(env, 'LOG_LEVEL') ?? configDefaults.LOG_LEVEL).toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    fail(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const mongoUri = mongoUriSource(env);
  return {
    mongoUri,
    mongoSecurity: mongoSecurityOf(env, mongoUri),
    databaseName: name(env, 'MONGO_DB_NAME', DATABASE_NAME),
    logLevel: logLevel as LogLevel,
  };
};

/** Reads and validates the consumer's environment, as {@link loadSharedConfig} does. */
export const loadConfig = (env: Env): ConsumerConfig => ({
  ...loadSharedConfig(env),
  ordersCollection: name(env, 'ORDERS_COLLECTION', COLLECTION_NAME),
  idempotencyCollection: name(env, 'IDEMPOTENCY_COLLECTION', COLLECTION_NAME),
  idempotencyExpirySeconds: integer(env, 'IDEMPOTENCY_EXPIRY_SECONDS', 60, 30 * 24 * 60 * 60),
  mongoMaxPoolSize: integer(env, 'MONGO_MAX_POOL_SIZE', 1, 100),
  poisonMessages: poisonMessagesOf(env),
});
