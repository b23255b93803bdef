import { randomUUID } from 'node:crypto';
import type {
  APIGatewayProxyStructuredResultV2,
  LambdaFunctionURLEvent,
  LambdaFunctionURLResult,
} from 'aws-lambda';

/** A Lambda Function URL request as AWS delivers it (payload format 2.0). */
export const functionUrlEventFactory = (
  method = 'GET',
  overrides: Partial<LambdaFunctionURLEvent> = {},
): LambdaFunctionURLEvent => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: '/health',
  rawQueryString: '',
  headers: { host: 'abc123.lambda-url.us-east-1.on.aws', 'user-agent': 'uptime-monitor/1.0' },
  isBase64Encoded: false,
  requestContext: {
    accountId: 'anonymous',
    apiId: 'abc123',
    domainName: 'abc123.lambda-url.us-east-1.on.aws',
    domainPrefix: 'abc123',
    http: {
      method,
      path: '/health',
      protocol: 'HTTP/1.1',
      sourceIp: '203.0.113.7',
      userAgent: 'uptime-monitor/1.0',
    },
    requestId: randomUUID(),
    routeKey: '$default',
    stage: '$default',
    time: '01/Jan/2024:11:00:00 +0000',
    timeEpoch: 1704106800000,
  },
  ...overrides,
});

/** Narrows a Function URL result to the structured form the health handler always returns. */
export const structuredResult = (
  result: LambdaFunctionURLResult,
): APIGatewayProxyStructuredResultV2 => {
  if (typeof result === 'string') throw new Error('expected a structured Function URL result');
  return result;
};
