import { describe, expect, it } from 'vitest';
import { localStackFunctionUrl } from '../../infra/localStackFunctionUrl.js';

describe('localStackFunctionUrl', () => {
  it('maps an AWS-form Function URL onto the LocalStack host and edge port', () => {
    // Act
    const url = localStackFunctionUrl(
      'https://abc123xyz.lambda-url.us-east-1.on.aws/',
      'http://localhost.localstack.cloud:4566',
      'localstack',
    );

    // Assess
    expect(url).toBe('http://abc123xyz.lambda-url.us-east-1.localhost.localstack.cloud:4566/');
  });

  it('keeps a URL LocalStack already gave in its own form', () => {
    // Prepare
    const served = 'http://abc123xyz.lambda-url.eu-west-1.localhost.localstack.cloud:4566/';

    // Act
    const url = localStackFunctionUrl(
      served,
      'http://localhost.localstack.cloud:4566',
      'localstack',
    );

    // Assess
    expect(url).toBe(served);
  });

  it('follows a non-default endpoint port and protocol', () => {
    // Act
    const url = localStackFunctionUrl(
      'https://abc.lambda-url.ap-south-1.on.aws/',
      'https://localhost.localstack.cloud',
      'localstack',
    );

    // Assess
    expect(url).toBe('https://abc.lambda-url.ap-south-1.localhost.localstack.cloud:443/');
  });

  it('puts a MiniStack Function URL on the endpoint itself, in the path form', () => {
    // Act
    const url = localStackFunctionUrl(
      'https://terbnib6lehywae87lqr1xe9vqpmqy9e.lambda-url.us-east-1.on.aws/',
      'http://127.0.0.1:4599',
      'ministack',
    );

    // Assess
    expect(url).toBe('http://127.0.0.1:4599/_aws/lambda-url/terbnib6lehywae87lqr1xe9vqpmqy9e/');
  });

  it('leaves queue URLs and an already mapped URL as they are', () => {
    // Prepare
    const queue = 'http://localhost:4599/000000000000/order-queue';
    const mapped = 'http://localhost:4599/_aws/lambda-url/abc/';

    // Act & Assess
    expect(localStackFunctionUrl(queue, 'http://localhost:4599', 'ministack')).toBe(queue);
    expect(localStackFunctionUrl(mapped, 'http://localhost:4599', 'ministack')).toBe(mapped);
  });
});
