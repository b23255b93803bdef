import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { StackConfigurationError } from '../../infra/errors.js';
import {
  logicalIdOf,
  statementsOfFunction,
  synthesizeOrderService,
} from './synthesizeOrderService.js';

// Made up, in the region synthesizeOrderService deploys to: synthesis looks nothing up.
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** Where each resource kind names its key, and how many of each the stack has. */
const KEY_USERS = [
  ['AWS::SQS::Queue', 'KmsMasterKeyId', 2],
  ['AWS::Logs::LogGroup', 'KmsKeyId', 2],
  ['AWS::SNS::Topic', 'KmsMasterKeyId', 1],
  ['AWS::Lambda::Function', 'KmsKeyArn', 2],
] as const;

/** The statements of the one key's policy. */
const keyStatementsOf = (template: Template): unknown[] => {
  const [key] = Object.values(template.findResources('AWS::KMS::Key'));
  return key?.Properties.KeyPolicy.Statement ?? [];
};

const kmsStatementsOf = (template: Template, lambda: 'Consumer' | 'Health') =>
  statementsOfFunction(template, lambda).filter((s) => JSON.stringify(s).includes('"kms:'));

describe('a customer-managed KMS key (-c encryption=kms, -c kmsKeyArn)', () => {
  it('with encryption=kms, creates one key with rotation, used by both queues, both log groups, the topic and both functions', () => {
    // Act
    const { template, nagReports } = synthesizeOrderService({ encryption: 'kms' });

    // Assess
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const key = { 'Fn::GetAtt': [logicalIdOf(template, 'AWS::KMS::Key', () => true), 'Arn'] };
    for (const [type, property, count] of KEY_USERS) {
      template.resourcePropertiesCountIs(type, { [property]: key }, count);
    }
    template.resourcePropertiesCountIs(
      'AWS::SQS::Queue',
      { SqsManagedSseEnabled: Match.anyValue() },
      0,
    );
    expect(template.findOutputs('EncryptionKeyArn').EncryptionKeyArn?.Value).toEqual(key);
    expect(nagReports.flatMap((report) => report.violations)).toEqual([]);
  });

  it('lets CloudWatch Logs use the key for the two log groups only, and CloudWatch alarms publish to the topic', () => {
    // Act
    const { template } = synthesizeOrderService({ encryption: 'kms' });

    // Assess
    const logGroupArn = (lambda: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          `:logs:eu-west-1:123456789012:log-group:/order-service/OrderProcessing/${lambda}`,
        ],
      ],
    });
    expect(keyStatementsOf(template)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
          Action: expect.arrayContaining(['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*']),
          Condition: {
            ArnEquals: {
              'kms:EncryptionContext:aws:logs:arn': [
                logGroupArn('consumer'),
                logGroupArn('health'),
              ],
            },
          },
        }),
        {
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
        },
      ]),
    );
    for (const lambda of ['consumer', 'health']) {
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/order-service/OrderProcessing/${lambda}`,
      });
    }
  });

  it('lets the consumer decrypt what it receives and make data keys for what it dead-letters; the health role needs nothing of the key', () => {
    // Act
    const { template } = synthesizeOrderService({ encryption: 'kms' });

    // Assess
    const key = { 'Fn::GetAtt': [logicalIdOf(template, 'AWS::KMS::Key', () => true), 'Arn'] };
    expect(kmsStatementsOf(template, 'Consumer')).toEqual([
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: key },
    ]);
    expect(kmsStatementsOf(template, 'Health')).toEqual([]);
  });

  it('gives the consumer only kms:Decrypt when it never sends (poisonMessages=redrive)', () => {
    // Act
    const { template } = synthesizeOrderService({ encryption: 'kms', poisonMessages: 'redrive' });

    // Assess
    expect(kmsStatementsOf(template, 'Consumer')).toEqual([
      expect.objectContaining({ Action: 'kms:Decrypt' }),
    ]);
  });

  it.each([[{ kmsKeyArn: KEY_ARN }], [{ kmsKeyArn: KEY_ARN, encryption: 'kms' }]])(
    'with %o, creates no key and uses that one everywhere',
    (context) => {
      // Act
      const { template, nagReports } = synthesizeOrderService(context);

      // Assess
      template.resourceCountIs('AWS::KMS::Key', 0);
      for (const [type, property, count] of KEY_USERS) {
        template.resourcePropertiesCountIs(type, { [property]: KEY_ARN }, count);
      }
      expect(kmsStatementsOf(template, 'Consumer')).toEqual([
        { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: KEY_ARN },
      ]);
      expect(template.findOutputs('EncryptionKeyArn').EncryptionKeyArn?.Value).toBe(KEY_ARN);
      expect(nagReports.flatMap((report) => report.violations)).toEqual([]);
    },
  );

  it('without either, has no KMS resource or reference: SSE-SQS, and each service’s own key', () => {
    // Act
    const { template } = synthesizeOrderService();

    // Assess
    // Properties only: the accepted findings' reasons in the metadata name the options.
    const resources = Object.values(template.toJSON().Resources) as { Type: string }[];
    expect(resources.map((r) => r.Type).filter((type) => type.startsWith('AWS::KMS::'))).toEqual(
      [],
    );
    const properties = JSON.stringify(resources.map((r) => ({ ...r, Metadata: undefined })));
    expect(properties).not.toMatch(/kms:|KmsMasterKeyId|KmsKeyId|KmsKeyArn/);
    template.resourcePropertiesCountIs('AWS::SQS::Queue', { SqsManagedSseEnabled: true }, 2);
    expect(template.findOutputs('EncryptionKeyArn')).toEqual({});
  });

  it.each([
    [{ encryption: 'aes' }, /encryption must be kms, or unset/],
    [
      { kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:alias/orders' },
      /kmsKeyArn must be the ARN of a KMS key/,
    ],
    [
      { kmsKeyArn: '1234abcd-12ab-34cd-56ef-1234567890ab' },
      /kmsKeyArn must be the ARN of a KMS key/,
    ],
    [
      { kmsKeyArn: KEY_ARN.replace('eu-west-1', 'us-east-1') },
      /kmsKeyArn is a key in us-east-1; the stack deploys to eu-west-1/,
    ],
    [{ tracing: 'on' }, /tracing must be active, or unset/],
  ])('refuses %o with one line naming the setting', (context, message) => {
    // Act
    const synthesize = () => synthesizeOrderService(context);

    // Assess
    expect(synthesize).toThrow(StackConfigurationError);
    expect(synthesize).toThrow(message);
  });
});

describe('Lambda active tracing (-c tracing=active)', () => {
  it('turns on active tracing on both functions, and gives each role the X-Ray write actions', () => {
    // Act
    const { template, nagReports } = synthesizeOrderService({ tracing: 'active' });

    // Assess
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { TracingConfig: { Mode: 'Active' } },
      2,
    );
    for (const lambda of ['Consumer', 'Health'] as const) {
      expect(statementsOfFunction(template, lambda)).toContainEqual({
        Effect: 'Allow',
        Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
        Resource: '*',
      });
    }
    expect(nagReports.flatMap((report) => report.violations)).toEqual([]);
  });

  it('is off by default', () => {
    // Act
    const { template } = synthesizeOrderService();

    // Assess
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { TracingConfig: Match.anyValue() },
      0,
    );
    expect(JSON.stringify(template.toJSON())).not.toContain('xray:');
  });
});
