import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ACCEPTED_FINDINGS } from '../../../infra/checks/acceptedFindings.js';
import { withAcceptedFindingsTable } from '../../../infra/checks/acceptedFindingsTable.js';
import { StackConfigurationError } from '../../../infra/errors.js';
import { projectRoot } from '../../../infra/lambdaBundling.js';
import { synthesizeOrderService } from '../synthesizeOrderService.js';

// Made up: synthesis looks nothing up. Every option of issue 20 and 22 together.
const EVERY_OPTION = {
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210',
  vpcEndpoints: 'true',
  mongoTlsCaFile: join(projectRoot, 'tests', 'fixtures', 'synth-ca.pem'),
  mongoAuth: 'aws-iam',
  mongoUri: 'mongodb+srv://cluster0.example.mongodb.net/',
  tracing: 'active',
  functionUrlAuth: 'AWS_IAM',
  alarmEmail: 'ops@example.com',
  compliance: 'all',
};
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

type Metadata = {
  cdk_nag?: { rules_to_suppress: { id: string; reason: string }[] };
  checkov?: { skip: { id: string; comment: string }[] };
};

/** Every acknowledgement and skip the template carries, as `<scanner> <id> <resource type>`. */
const acceptedIn = (template: Template) => {
  const resources = Object.values(template.toJSON().Resources) as {
    Type: string;
    Metadata?: Metadata;
  }[];
  return resources.flatMap(({ Type, Metadata }) => [
    ...(Metadata?.cdk_nag?.rules_to_suppress ?? []).map(({ id, reason }) => ({
      finding: `cdk-nag ${id} ${Type}`,
      reason,
    })),
    ...(Metadata?.checkov?.skip ?? []).map(({ id, comment }) => ({
      finding: `checkov ${id} ${Type}`,
      reason: comment,
    })),
  ]);
};

const findingsIn = (template: Template) => acceptedIn(template).map((a) => a.finding);

describe('accepted findings: one place, written into the template for cdk-nag and checkov', () => {
  it('synthesizes with every compliance pack, each acknowledgement and skip in the template with its reason', () => {
    // Act
    const { template, nagReports, checks } = synthesizeOrderService({ compliance: 'all' });

    // Assess
    expect(checks.map((pack) => pack.readPackName)).toEqual([
      'AwsSolutions',
      'OrderService',
      'Serverless',
      'NIST.800.53.R5',
      'HIPAA.Security',
      'PCI.DSS.321',
    ]);
    expect(nagReports.flatMap((report) => report.violations)).toEqual([]);
    const accepted = acceptedIn(template);
    for (const { reason } of accepted) expect(reason.length).toBeGreaterThan(40);
    expect(accepted.map((a) => a.finding)).toEqual(
      expect.arrayContaining([
        'cdk-nag Serverless-LambdaDLQ AWS::Lambda::Function',
        'cdk-nag NIST.800.53.R5-LambdaInsideVPC AWS::Lambda::Function',
        'cdk-nag HIPAA.Security-CloudWatchLogGroupEncrypted AWS::Logs::LogGroup',
        'cdk-nag PCI.DSS.321-IAMNoInlinePolicy AWS::IAM::Policy',
        'cdk-nag AwsSolutions-SNS2 AWS::SNS::Topic',
        'cdk-nag OrderService-LambdaFunctionUrlAuth AWS::Lambda::Url',
        'cdk-nag Serverless-SQSRedrivePolicy AWS::SQS::Queue',
        'cdk-nag Serverless-LambdaEventSourceMappingDestination AWS::Lambda::EventSourceMapping',
      ]),
    );
  });

  it('skips in checkov exactly the 13 findings of the default template, per resource', () => {
    // Act
    const { template } = synthesizeOrderService();

    // Assess
    const skips = findingsIn(template).filter((finding) => finding.startsWith('checkov '));
    expect(skips.sort()).toEqual(
      [
        ...Array(2).fill('checkov CKV_AWS_27 AWS::SQS::Queue'),
        ...Array(2).fill('checkov CKV_AWS_158 AWS::Logs::LogGroup'),
        'checkov CKV_AWS_26 AWS::SNS::Topic',
        ...Array(2).fill('checkov CKV_AWS_173 AWS::Lambda::Function'),
        ...Array(2).fill('checkov CKV_AWS_116 AWS::Lambda::Function'),
        ...Array(2).fill('checkov CKV_AWS_117 AWS::Lambda::Function'),
        'checkov CKV_AWS_115 AWS::Lambda::Function',
        'checkov CKV_AWS_258 AWS::Lambda::Url',
      ].sort(),
    );
  });

  it('acknowledges only the rules of the packs that run', () => {
    // Act
    const { template } = synthesizeOrderService();

    // Assess
    const packs = findingsIn(template)
      .filter((finding) => finding.startsWith('cdk-nag '))
      .map((finding) => finding.split(' ')[1]?.split('-')[0]);
    expect(new Set(packs)).toEqual(new Set(['AwsSolutions', 'OrderService']));
  });

  it.each([
    ['a created key', { encryption: 'kms' }],
    [
      'a given key',
      {
        kmsKeyArn: KEY_ARN,
        securityGroupIds: 'sg-0123456789abcdef0',
        healthReservedConcurrency: 'none',
      },
    ],
  ])(
    'synthesizes with every compliance pack and every option, %s included; what the options fix is not skipped',
    (_, key) => {
      // Act
      const { template, nagReports } = synthesizeOrderService({ ...EVERY_OPTION, ...key });

      // Assess
      expect(nagReports.flatMap((report) => report.violations)).toEqual([]);
      const findings = findingsIn(template);
      for (const fixed of [
        'CKV_AWS_27',
        'CKV_AWS_158',
        'CKV_AWS_26',
        'CKV_AWS_173',
        'CKV_AWS_258',
        'CKV_AWS_117',
        'LambdaInsideVPC',
        'CloudWatchLogGroupEncrypted',
        'SNSEncryptedKMS',
        'LambdaTracing',
        'LambdaFunctionPublicAccessProhibited',
        'LambdaFunctionUrlAuth',
      ]) {
        expect(findings.filter((finding) => finding.includes(fixed))).toEqual([]);
      }
      expect(findings).toContain('checkov CKV_AWS_111 AWS::IAM::Policy');
      expect(findings).toContain('cdk-nag AwsSolutions-IAM5[Resource::*] AWS::IAM::Policy');
    },
  );

  it('refuses an unknown compliance pack, listing the valid ones', () => {
    // Act
    const synthesize = () => synthesizeOrderService({ compliance: 'serverless,nist-800-53-r4' });

    // Assess
    expect(synthesize).toThrow(StackConfigurationError);
    expect(synthesize).toThrow(
      'compliance: unknown pack nist-800-53-r4; valid: serverless, nist-800-53-r5, hipaa-security, pci-dss-3.2.1, all',
    );
  });

  it('gives every accepted finding a reason and at least one rule or check', () => {
    for (const finding of ACCEPTED_FINDINGS) {
      expect(finding.nag.length + finding.checkov.length).toBeGreaterThan(0);
      expect(finding.reason.length).toBeGreaterThan(40);
    }
  });

  it('lists every accepted finding in docs/security.md as acceptedFindings.ts has it (npm run docs:security rewrites it)', () => {
    // Prepare
    const doc = readFileSync(join(projectRoot, 'docs', 'security.md'), 'utf8');

    // Assess
    expect(doc).toBe(withAcceptedFindingsTable(doc));
  });
});
