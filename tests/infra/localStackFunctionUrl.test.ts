import { describe, expect, it } from 'vitest';
import { localStackFunctionUrl } from '../../infra/localStackFunctionUrl.js';

describe('localStackFunctionUrl', () => {
  it('maps an AWS-form Function URL onto the LocalStack host and edge port', () => {
    // Act
    const url = localStackFunctionUrl(
      'https://abc123xyz.lambda-url.us-east-1.on.aws/',
      'http://localhost.localstack.cloud:4566',
    );

    // Assess
    expect(url).toBe('http://abc123xyz.lambda-url.us-east-1.localhost.localstack.cloud:4566/');
  });

  it('keeps a URL LocalStack already gave in its own form', () => {
    // Prepare
    const served = 'http://abc123xyz.lambda-url.eu-west-1.localhost.localstack.cloud:4566/';

    // Act
    const url = localStackFunctionUrl(served, 'http://localhost.localstack.cloud:4566');

    // Assess
    expect(url).toBe(served);
  });

  it('follows a non-default endpoint port and protocol', () => {
    // Act
    const url = localStackFunctionUrl(
      'https://abc.lambda-url.ap-south-1.on.aws/',
      'https://localhost.localstack.cloud',
    );

    // Assess
    expect(url).toBe('https://abc.lambda-url.ap-south-1.localhost.localstack.cloud:443/');
  });
});
