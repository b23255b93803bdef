import { describe, expect, it } from 'vitest';
import { LocalSettingsError } from '../../../../local/cli/errors.js';
import { resolveLocalSettings } from '../../../../local/runtime/localSettings.js';
import { defaultSettings } from '../../../../settings/serviceSettings.js';

describe('resolveLocalSettings', () => {
  it('keeps the shared settings, and one delivery for the visibility timeout', () => {
    // Act
    const settings = resolveLocalSettings();

    // Assess
    expect(settings).toMatchObject({
      queueName: defaultSettings.queueName,
      deadLetterQueueName: defaultSettings.deadLetterQueueName,
      batchSize: defaultSettings.batchSize,
      maxBatchingWindowSeconds: defaultSettings.maxBatchingWindowSeconds,
      maxReceiveCount: defaultSettings.maxReceiveCount,
      maxConcurrency: defaultSettings.maxConcurrency,
      consumerTimeoutSeconds: defaultSettings.consumerTimeoutSeconds,
    });
    expect(settings.visibilityTimeoutSeconds).toBe(
      settings.consumerTimeoutSeconds + defaultSettings.maxBatchingWindowSeconds + 1,
    );
  });

  it('lets explicit overrides win', () => {
    // Act
    const settings = resolveLocalSettings({
      consumerTimeoutSeconds: 2,
      visibilityTimeoutSeconds: 3,
      maxReceiveCount: 2,
    });

    // Assess
    expect(settings).toMatchObject({
      consumerTimeoutSeconds: 2,
      visibilityTimeoutSeconds: 3,
      maxReceiveCount: 2,
    });
  });

  it.each([
    [
      { consumerTimeoutSeconds: 10, visibilityTimeoutSeconds: 5 },
      'must be at least consumerTimeoutSeconds',
    ],
    [{ batchSize: 0 }, 'batchSize must be a whole number'],
    [{ batchSize: 50, maxBatchingWindowSeconds: 0 }, 'batchSize above 10'],
    [{ maxReceiveCount: 1.5 }, 'maxReceiveCount must be a whole number'],
  ])('rejects %o', (overrides, message) => {
    // Act & Assess
    expect(() => resolveLocalSettings(overrides)).toThrow(LocalSettingsError);
    expect(() => resolveLocalSettings(overrides)).toThrow(message);
  });
});
