import type { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, type NagPackProps, rules } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag rules the AwsSolutions pack leaves out but this service depends on: the queue's
 * visibility timeout against the consumer's timeout, Function URL authentication, and explicit
 * Lambda memory, timeout and log retention. Rule ids read `OrderService-<Rule>`.
 */
export class OrderServiceChecks extends NagPack {
  readonly name = 'OrderService';

  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.packName = 'OrderService';
  }

  protected override checkResource(node: CfnResource): void {
    this.applyRule({
      info: 'The SQS queue visibility timeout of the event source mapping is less than 6 times the Lambda function timeout.',
      explanation:
        'A visibility timeout of at least six times the function timeout keeps a message from being redelivered while an invocation, or its retries after throttling, may still be working on it.',
      level: NagMessageLevel.ERROR,
      rule: rules.lambda.LambdaEventSourceSQSVisibilityTimeout,
      node,
    });
    this.applyRule({
      info: 'The Lambda Function URL allows public, unauthenticated access.',
      explanation:
        'With AuthType NONE anyone on the internet can invoke the function; acknowledge only with a bound on what such a caller can make it do.',
      level: NagMessageLevel.ERROR,
      rule: rules.lambda.LambdaFunctionUrlAuth,
      node,
    });
    this.applyRule({
      info: 'The Lambda function does not have an explicit memory value configured.',
      explanation: 'Memory sets CPU; the default 128 MB is rarely what a function was tested with.',
      level: NagMessageLevel.ERROR,
      rule: rules.lambda.LambdaDefaultMemorySize,
      node,
    });
    this.applyRule({
      info: 'The Lambda function does not have an explicitly defined timeout value.',
      explanation:
        'The queue visibility timeout and the health bound are derived from the timeouts.',
      level: NagMessageLevel.ERROR,
      rule: rules.lambda.LambdaDefaultTimeout,
      node,
    });
    this.applyRule({
      info: 'The CloudWatch Log Group does not have an explicit retention policy defined.',
      explanation: 'Logs kept forever cost money and keep personal data longer than needed.',
      level: NagMessageLevel.ERROR,
      rule: rules.cloudwatch.CloudWatchLogGroupRetentionPeriod,
      node,
    });
  }
}
