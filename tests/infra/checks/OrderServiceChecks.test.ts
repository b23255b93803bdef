import { App, Duration, Stack } from 'aws-cdk-lib';
import {
  Code,
  FunctionUrlAuthType,
  Function as LambdaFunction,
  Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { OrderServiceChecks } from '../../../infra/checks/OrderServiceChecks.js';

/** A minimal queue → function wiring, with the visibility timeout and URL auth under test. */
const stackWith = (visibilitySeconds: number, urlAuth: FunctionUrlAuthType) => {
  const app = new App();
  const stack = new Stack(app, 'Probe');
  const fn = new LambdaFunction(stack, 'Fn', {
    runtime: Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: Code.fromInline('export const handler = async () => ({});'),
    timeout: Duration.seconds(30),
    memorySize: 256,
  });
  const queue = new Queue(stack, 'Queue', {
    visibilityTimeout: Duration.seconds(visibilitySeconds),
  });
  fn.addEventSource(new SqsEventSource(queue));
  fn.addFunctionUrl({ authType: urlAuth });
  return app;
};

const ruleNames = (app: App) =>
  new OrderServiceChecks(app).validateScope(app).violations.map((violation) => violation.ruleName);

describe('OrderServiceChecks', () => {
  it('reports a queue whose visibility timeout is under 6 × the function timeout', () => {
    // Act
    const rules = ruleNames(stackWith(6 * 30 - 1, FunctionUrlAuthType.AWS_IAM));

    // Assess
    expect(rules).toContain('OrderService-LambdaEventSourceSQSVisibilityTimeout');
  });

  it('reports a Function URL without authentication', () => {
    // Act
    const rules = ruleNames(stackWith(6 * 30, FunctionUrlAuthType.NONE));

    // Assess
    expect(rules).toContain('OrderService-LambdaFunctionUrlAuth');
  });

  it('accepts visibility ≥ 6 × timeout and an IAM-authenticated URL', () => {
    // Act
    const rules = ruleNames(stackWith(6 * 30, FunctionUrlAuthType.AWS_IAM));

    // Assess
    expect(rules).not.toContain('OrderService-LambdaEventSourceSQSVisibilityTimeout');
    expect(rules).not.toContain('OrderService-LambdaFunctionUrlAuth');
  });
});
