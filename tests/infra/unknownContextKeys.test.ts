import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { unknownContextKeys } from '../../infra/unknownContextKeys.js';
import { synthesizeOrderService } from './synthesizeOrderService.js';

describe('context keys the app does not know', () => {
  it('warns at synthesis about a mistyped key, naming the closest known one', () => {
    // Act
    const { stack } = synthesizeOrderService({ maxConcurency: '10' });

    // Assess
    Annotations.fromStack(stack).hasWarning(
      '/OrderProcessing',
      Match.stringLikeRegexp(
        'Unknown context key maxConcurency, ignored: did you mean maxConcurrency\\?',
      ),
    );
  });

  it('leaves CDK’s own keys alone: feature flags, the CLI’s, cached lookups', () => {
    // Act
    const { stack } = synthesizeOrderService({
      '@aws-cdk/aws-lambda:useLatestRuntimeVersion': true,
      'aws:cdk:enable-path-metadata': true,
      'availability-zones:account=123456789012:region=eu-west-1': ['eu-west-1a'],
      'acknowledged-issue-numbers': [32775],
      maxConcurrency: '10',
    });

    // Assess
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('Unknown context key'));
  });

  it.each([
    ['encrytion', 'encryption'],
    ['kmsKeyARN', 'kmsKeyArn'],
    ['tracng', 'tracing'],
    ['compliances', 'compliance'],
    ['vpcid', 'vpcId'],
  ])('takes %s for %s', (key, closest) => {
    expect(unknownContextKeys([key])).toEqual([{ key, closest }]);
  });
});
