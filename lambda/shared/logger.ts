import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from './config.js';

/**
 * The service's JSON logger. Records running in parallel share it, so per-record keys are passed
 * with each call, never appended to it.
 */
export const createLogger = (serviceName: string, logLevel: LogLevel): Logger =>
  new Logger({ serviceName, logLevel });
