import { defaultSettings, type OrderServiceSettings } from '../../settings/serviceSettings.js';
import { LocalSettingsError } from '../cli/errors.js';

/** The service settings as the local runtime applies them, with the queue's visibility timeout. */
export interface LocalSettings extends OrderServiceSettings {
  /** Visibility timeout of the local main queue, in seconds. */
  readonly visibilityTimeoutSeconds: number;
}

/** Changes to the shared settings for one local run. */
export type LocalSettingsOverrides = Partial<LocalSettings>;

const check = (name: string, value: number, min: number, max: number): number => {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new LocalSettingsError(`${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
};

/**
 * The settings of a local run: the shared defaults, then the overrides. The consumer keeps the
 * stack's timeout, so a slow moment of the database is what it would be on AWS; the queue's
 * visibility timeout is that timeout + the batching window + 1 s, where the stack uses 6 × the
 * timeout (+ window) because Lambda may retry throttled invokes: the emulator never retries an
 * invoke, so one timeout, the window and a second for the deletes cover one delivery. (Poison
 * messages do not wait for it: by default the consumer dead-letters them at once.)
 *
 * An explicit override always wins. Throws {@link LocalSettingsError} for a value SQS or Lambda
 * would reject, notably a visibility timeout shorter than the consumer timeout.
 */
export const resolveLocalSettings = (overrides: LocalSettingsOverrides = {}): LocalSettings => {
  const merged = { ...defaultSettings, ...overrides };
  const consumerTimeoutSeconds = merged.consumerTimeoutSeconds;
  const visibility =
    overrides.visibilityTimeoutSeconds ??
    consumerTimeoutSeconds + merged.maxBatchingWindowSeconds + 1;
  const settings: LocalSettings = {
    ...merged,
    consumerTimeoutSeconds: check('consumerTimeoutSeconds', consumerTimeoutSeconds, 1, 900),
    visibilityTimeoutSeconds: check('visibilityTimeoutSeconds', visibility, 0, 43_200),
    batchSize: check('batchSize', merged.batchSize, 1, 10_000),
    maxBatchingWindowSeconds: check(
      'maxBatchingWindowSeconds',
      merged.maxBatchingWindowSeconds,
      0,
      300,
    ),
    maxReceiveCount: check('maxReceiveCount', merged.maxReceiveCount, 1, 1_000),
    maxConcurrency: check('maxConcurrency', merged.maxConcurrency, 1, 1_000),
    mongoMaxPoolSize: check('mongoMaxPoolSize', merged.mongoMaxPoolSize, 1, 100),
  };
  if (settings.visibilityTimeoutSeconds < settings.consumerTimeoutSeconds) {
    throw new LocalSettingsError(
      `visibilityTimeoutSeconds (${settings.visibilityTimeoutSeconds}) must be at least consumerTimeoutSeconds (${settings.consumerTimeoutSeconds}); Lambda rejects such a mapping`,
    );
  }
  if (settings.batchSize > 10 && settings.maxBatchingWindowSeconds < 1) {
    throw new LocalSettingsError(
      'batchSize above 10 needs maxBatchingWindowSeconds of at least 1, as on Lambda',
    );
  }
  return settings;
};
