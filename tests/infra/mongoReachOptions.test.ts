import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../infra/lambdaBundling.js';
import {
  logicalIdOf,
  type SynthesizedOrderService,
  statementsOfFunction,
  synthesizeOrderService,
} from './synthesizeOrderService.js';

// Made up: synthesis looks none of them up.
const VPC_ID = 'vpc-0123456789abcdef0';
const SUBNET_IDS = ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'];
const SECURITY_GROUP_ID = 'sg-0123456789abcdef0';
const inVpc = { vpcId: VPC_ID, subnetIds: SUBNET_IDS.join(',') };

/** A CA certificate (its key discarded) standing in for DocumentDB's global-bundle.pem. */
const CA_FILE = join(projectRoot, 'tests', 'fixtures', 'synth-ca.pem');
const ATLAS_URI = 'mongodb+srv://cluster0.example.mongodb.net/';

type Lambda = 'Consumer' | 'Health';
const LAMBDAS: readonly Lambda[] = ['Consumer', 'Health'];
const DESCRIPTION = { Consumer: /^Order consumer/, Health: /^Order service health/ } as const;

/** The synthesized properties of the `Consumer` or `Health` function. */
const functionOf = (template: Template, lambda: Lambda) => {
  const id = logicalIdOf(template, 'AWS::Lambda::Function', (p) =>
    DESCRIPTION[lambda].test(String(p.Description)),
  );
  return { id, properties: template.toJSON().Resources[id].Properties };
};

const expectNoNagFinding = ({ nagReports }: SynthesizedOrderService) =>
  expect(nagReports.flatMap((report) => report.violations)).toEqual([]);

describe('OrderProcessingStack in a VPC, behind a private CA, with IAM authentication', () => {
  it('changes nothing without vpcId: no VpcConfig, no EC2 resource, no network-interface permission', () => {
    // Act
    const { template } = synthesizeOrderService();

    // Assess
    for (const lambda of LAMBDAS) {
      expect(functionOf(template, lambda).properties.VpcConfig).toBeUndefined();
      expect(JSON.stringify(statementsOfFunction(template, lambda))).not.toContain('ec2:');
    }
    const types = Object.values(template.toJSON().Resources).map(
      (r) => (r as { Type: string }).Type,
    );
    expect(types.filter((type) => type.startsWith('AWS::EC2::'))).toEqual([]);
  });

  it('puts both functions in the subnets, with a security group of their own: MongoDB and HTTPS out, nothing in', () => {
    // Act
    const synthesized = synthesizeOrderService(inVpc);
    const { template } = synthesized;

    // Assess
    template.resourceCountIs('AWS::EC2::SecurityGroup', 1);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    const groupId = logicalIdOf(template, 'AWS::EC2::SecurityGroup', () => true);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: VPC_ID,
      SecurityGroupIngress: Match.absent(),
      SecurityGroupEgress: [
        Match.objectLike({
          CidrIp: '0.0.0.0/0',
          IpProtocol: 'tcp',
          FromPort: 27015,
          ToPort: 27017,
        }),
        Match.objectLike({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
      ],
    });
    for (const lambda of LAMBDAS) {
      expect(functionOf(template, lambda).properties.VpcConfig).toEqual({
        SubnetIds: SUBNET_IDS,
        SecurityGroupIds: [{ 'Fn::GetAtt': [groupId, 'GroupId'] }],
      });
    }
    expect(template.findOutputs('LambdaSecurityGroupId').LambdaSecurityGroupId?.Value).toEqual({
      'Fn::GetAtt': [groupId, 'GroupId'],
    });
    expectNoNagFinding(synthesized);
  });

  it('lets each execution role manage the network interfaces, and has each function wait for that permission', () => {
    // Act
    const { template } = synthesizeOrderService(inVpc);

    // Assess
    for (const lambda of LAMBDAS) {
      expect(statementsOfFunction(template, lambda)).toContainEqual({
        Effect: 'Allow',
        Action: [
          'ec2:AssignPrivateIpAddresses',
          'ec2:CreateNetworkInterface',
          'ec2:DeleteNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:UnassignPrivateIpAddresses',
        ],
        Resource: '*',
      });
      const { id } = functionOf(template, lambda);
      const policyId = logicalIdOf(
        template,
        'AWS::IAM::Policy',
        (p) =>
          JSON.stringify(p.PolicyDocument).includes('ec2:CreateNetworkInterface') &&
          JSON.stringify(p.Roles).includes(`${lambda}Role`),
      );
      expect(template.toJSON().Resources[id].DependsOn).toContain(policyId);
    }
  });

  it('uses the given security groups, and changes or creates none', () => {
    // Act
    const synthesized = synthesizeOrderService({
      ...inVpc,
      securityGroupIds: SECURITY_GROUP_ID,
    });
    const { template } = synthesized;

    // Assess
    for (const lambda of LAMBDAS) {
      expect(functionOf(template, lambda).properties.VpcConfig).toEqual({
        SubnetIds: SUBNET_IDS,
        SecurityGroupIds: [SECURITY_GROUP_ID],
      });
    }
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    template.resourceCountIs('AWS::EC2::SecurityGroupEgress', 0);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    expect(template.findOutputs('LambdaSecurityGroupId')).toEqual({});
    expectNoNagFinding(synthesized);
  });

  it('adds SQS and Secrets Manager endpoints with private DNS in the subnets, open on 443 to the functions only', () => {
    // Act
    const synthesized = synthesizeOrderService({
      ...inVpc,
      securityGroupIds: SECURITY_GROUP_ID,
      vpcEndpoints: 'true',
    });
    const { template } = synthesized;

    // Assess
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 2);
    for (const service of ['sqs', 'secretsmanager']) {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        ServiceName: `com.amazonaws.eu-west-1.${service}`,
        VpcEndpointType: 'Interface',
        VpcId: VPC_ID,
        PrivateDnsEnabled: true,
        SubnetIds: SUBNET_IDS,
      });
    }
    template.resourcePropertiesCountIs(
      'AWS::EC2::SecurityGroup',
      {
        VpcId: VPC_ID,
        SecurityGroupIngress: [
          Match.objectLike({
            IpProtocol: 'tcp',
            FromPort: 443,
            ToPort: 443,
            SourceSecurityGroupId: SECURITY_GROUP_ID,
          }),
        ],
      },
      2,
    );
    expectNoNagFinding(synthesized);
  });

  it('copies the CA file into both code assets, at the path MONGO_TLS_CA_FILE gives', () => {
    // Act
    const synthesized = synthesizeOrderService({ mongoTlsCaFile: CA_FILE }, { bundle: true });
    const { template, app } = synthesized;

    // Assess
    for (const lambda of LAMBDAS) {
      const { properties } = functionOf(template, lambda);
      expect(properties.Environment.Variables.MONGO_TLS_CA_FILE).toBe('/var/task/synth-ca.pem');
      const assetDir = join(app.outdir, `asset.${properties.Code.S3Key.replace(/\.zip$/, '')}`);
      expect(readFileSync(join(assetDir, 'synth-ca.pem'))).toEqual(readFileSync(CA_FILE));
    }
    expectNoNagFinding(synthesized);
  });

  it('with aws-iam: MONGO_AUTH on both functions, no secret anywhere, and the two role ARNs as outputs', () => {
    // Act
    const synthesized = synthesizeOrderService({
      ...inVpc,
      vpcEndpoints: 'true',
      mongoAuth: 'aws-iam',
      mongoUri: ATLAS_URI,
    });
    const { template, stack } = synthesized;

    // Assess
    for (const lambda of LAMBDAS) {
      expect(functionOf(template, lambda).properties.Environment.Variables).toMatchObject({
        MONGO_AUTH: 'aws-iam',
        MONGO_URI: ATLAS_URI,
      });
    }
    expect(JSON.stringify(template.toJSON())).not.toMatch(/secretsmanager|MONGO_URI_SECRET_ID/i);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
    const outputs = template.findOutputs('*');
    for (const lambda of LAMBDAS) {
      const roleId = logicalIdOf(template, 'AWS::IAM::Role', (p) =>
        JSON.stringify(p.Description).includes(
          lambda === 'Consumer' ? 'Order consumer' : 'Order service health',
        ),
      );
      expect(outputs[`${lambda}RoleArn`]?.Value).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    }
    // The URI holds no credentials: no warning about it sitting in the function configuration.
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('plain value'));
    expectNoNagFinding(synthesized);
  });

  it('outputs no role ARN without aws-iam', () => {
    // Act
    const { template } = synthesizeOrderService();

    // Assess
    expect(Object.keys(template.findOutputs('*'))).not.toContain('ConsumerRoleArn');
    expect(Object.keys(template.findOutputs('*'))).not.toContain('HealthRoleArn');
  });
});
