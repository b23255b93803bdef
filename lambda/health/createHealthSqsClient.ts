import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';

/**
 * The health check's SQS client. Endpoint, region and credentials come from the standard SDK
 * configuration (so the `AWS_ENDPOINT_URL` LocalStack injects into its Lambda containers is
 * honoured); `overrides` is for callers that must name an endpoint, such as tests. Connecting and
 * each request are bounded by the check's timeout, and one retry at most fits inside it.
 *
 * `useQueueUrlAsEndpoint: false`: by default the SDK sends a request to the host named in the
 * queue URL when it differs from the configured endpoint. LocalStack's and fauxqs' queue URLs name
 * hosts (`sqs.<region>.localhost.localstack.cloud`, `sqs.<region>.localhost`) that need not resolve
 * where the check runs, so the configured endpoint is always used; on AWS both are the same.
 */
export const createHealthSqsClient = (
  checkTimeoutMs: number,
  overrides: SQSClientConfig = {},
): SQSClient =>
  new SQSClient({
    maxAttempts: 2,
    useQueueUrlAsEndpoint: false,
    requestHandler: { connectionTimeout: checkTimeoutMs, requestTimeout: checkTimeoutMs },
    ...overrides,
  });
