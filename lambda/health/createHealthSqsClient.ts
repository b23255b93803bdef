import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';

/**
 * The health check's SQS client. Endpoint, region and credentials come from the standard SDK
 * configuration (so the `AWS_ENDPOINT_URL` LocalStack injects into its Lambda containers is
 * honoured); `overrides` is for callers that must name an endpoint, such as tests. Connecting and
 * each request are bounded by the check's timeout, and one retry at most fits inside it.
 */
export const createHealthSqsClient = (
  checkTimeoutMs: number,
  overrides: SQSClientConfig = {},
): SQSClient =>
  new SQSClient({
    maxAttempts: 2,
    requestHandler: { connectionTimeout: checkTimeoutMs, requestTimeout: checkTimeoutMs },
    ...overrides,
  });
