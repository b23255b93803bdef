import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { StackConfigurationError } from '../../infra/errors.js';
import { stackPropsFromContext } from '../../infra/stackPropsFromContext.js';
import { defaultDeploymentSettings } from '../../settings/serviceSettings.js';
import { statementsOfFunction, synthesizeOrderService } from './synthesizeOrderService.js';

const hostArchitecture = process.arch === 'arm64' ? 'arm64' : 'x86_64';

/** The props `npm run deploy:local` synthesizes for MiniStack from this context. */
const onMiniStack = (context: Record<string, string>) =>
  stackPropsFromContext((key) => context[key], { DEPLOY_LOCAL_EMULATOR: 'ministack' });

describe('OrderProcessingStack variants chosen with CDK context', () => {
  it('deploys to LocalStack with a plain URI for the compose MongoDB, the host architecture and no secret access', () => {
    // Act
    const { template, nagReports } = synthesizeOrderService({ target: 'local' });

    // Assess
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(2);
    for (const fn of functions) {
      expect(fn.Properties.Architectures).toEqual([hostArchitecture]);
      expect(fn.Properties.Environment.Variables).toMatchObject({
        MONGO_URI: defaultDeploymentSettings.localMongoUri,
      });
      expect(fn.Properties.Environment.Variables.MONGO_URI_SECRET_ID).toBeUndefined();
    }
    for (const lambda of ['Consumer', 'Health'] as const) {
      expect(JSON.stringify(statementsOfFunction(template, lambda))).not.toContain(
        'secretsmanager',
      );
    }
    expect(JSON.stringify(template.findOutputs('*'))).not.toContain('mongodb');
    expect(nagReports.flatMap((report) => report.violations)).toEqual([]);
  });

  it('detects LocalStack from the endpoint cdklocal sets when no target is given', () => {
    // Act
    const props = stackPropsFromContext(() => undefined, {
      AWS_ENDPOINT_URL: 'http://localhost.localstack.cloud:4566',
    });

    // Assess
    expect(props.target).toBe('local');
  });

  it('requires a MongoDB URI when deploy-local.sh deploys to MiniStack, whose Lambdas cannot reach the compose name', () => {
    // Prepare
    const mongoUriOn = (given: Record<string, string>) => () =>
      onMiniStack({ target: 'local', ...given }).mongoUri;

    // Act & Assess
    expect(mongoUriOn({})).toThrow(StackConfigurationError);
    expect(mongoUriOn({})).toThrow(/MiniStack .* -c mongoUri=/);
    expect(mongoUriOn({ mongoUri: 'mongodb://127.0.0.1:27017/' })()).toEqual({
      value: 'mongodb://127.0.0.1:27017/',
    });
    expect(mongoUriOn({ mongoUriSecret: 'order-service/mongo-uri' })()).toEqual({
      secret: 'order-service/mongo-uri',
    });
  });

  it('refuses a CA file on MiniStack, whose Lambdas run without /var/task, and says what to do instead', () => {
    // Act
    const synthesize = () =>
      onMiniStack({ mongoUri: 'mongodb://127.0.0.1:27017/', mongoTlsCaFile: 'ca.pem' });

    // Assess
    expect(synthesize).toThrow(StackConfigurationError);
    expect(synthesize).toThrow(/MiniStack .* tlsCAFile=<absolute path> in mongoUri/);
  });

  it('requires SigV4 callers with functionUrlAuth=AWS_IAM, which cdk-nag accepts without acknowledgement', () => {
    // Act
    const { template, nagReports } = synthesizeOrderService({ functionUrlAuth: 'AWS_IAM' });

    // Assess
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Permission',
      { Principal: '*', Action: Match.stringLikeRegexp('^lambda:InvokeFunction') },
      0,
    );
    expect(nagReports.flatMap((report) => report.violations)).toEqual([]);
  });

  it('takes tunables, a secret ARN and an alarm e-mail from context', () => {
    // Prepare
    const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/mongo-uri-AbCdEf';

    // Act
    const { template, nagReports } = synthesizeOrderService({
      mongoUriSecret: secretArn,
      alarmEmail: 'ops@example.com',
      batchSize: '50',
      maxBatchingWindowSeconds: '5',
      consumerTimeoutSeconds: '60',
      maxConcurrency: '10',
      healthReservedConcurrency: 'none',
      logRetentionDays: '90',
    });

    // Assess
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 50,
      MaximumBatchingWindowInSeconds: 5,
      ScalingConfig: { MaximumConcurrency: 10 },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'order-queue',
      VisibilityTimeout: 6 * 60 + 5,
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Order service health'),
      ReservedConcurrentExecutions: Match.absent(),
    });
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 90 }, 2);
    expect(statementsOfFunction(template, 'Consumer')).toContainEqual({
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: secretArn,
    });
    expect(nagReports.flatMap((report) => report.violations)).toEqual([]);
  });

  it.each([
    [{ maxReceiveCount: '3' }, /maxReceiveCount must be a whole number from 5/],
    [{ maxConcurrency: '1' }, /maxConcurrency must be a whole number from 2/],
    [{ batchSize: '20', maxBatchingWindowSeconds: '0' }, /batchSize above 10 needs/],
    [
      { consumerTimeoutSeconds: '901' },
      /consumerTimeoutSeconds must be a whole number from 1 to 900/,
    ],
    [{ functionUrlAuth: 'open' }, /functionUrlAuth must be NONE or AWS_IAM/],
    [{ logRetentionDays: '45' }, /logRetentionDays/],
    [{ batchSize: 'ten' }, /batchSize must be a whole number/],
    [{ target: 'staging' }, /target must be aws or local/],
    [
      { mongoUri: 'postgres://user:s3cr3t@db:5432' },
      /MONGO_URI is not a valid MongoDB connection string/,
    ],
    [{ mongoUri: 'mongodb://a', mongoUriSecret: 'b' }, /mongoUriSecret or mongoUri, not both/],
    [{ databaseName: 'orders.prod' }, /MONGO_DB_NAME is not a valid MongoDB name/],
    [{ logLevel: 'loud' }, /LOG_LEVEL must be one of/],
    [{ vpcId: 'vpc-0123456789abcdef0' }, /vpcId needs subnetIds/],
    [{ subnetIds: 'subnet-0123456789abcdef0' }, /subnetIds needs vpcId/],
    [{ vpcEndpoints: 'true' }, /vpcEndpoints needs vpcId and subnetIds/],
    [{ securityGroupIds: 'sg-0123456789abcdef0' }, /securityGroupIds needs vpcId and subnetIds/],
    [{ vpcId: 'vpc-1', subnetIds: 'subnet-0123456789abcdef0' }, /vpcId must be a VPC id/],
    [{ vpcId: 'vpc-0123456789abcdef0', subnetIds: 'subnet-a' }, /subnetIds must be subnet ids/],
    [
      { vpcId: 'vpc-0123456789abcdef0', subnetIds: 'subnet-01234567', securityGroupIds: 'default' },
      /securityGroupIds must be security group ids/,
    ],
    [
      { vpcId: 'vpc-0123456789abcdef0', subnetIds: 'subnet-01234567', vpcEndpoints: 'yes' },
      /vpcEndpoints must be true or false/,
    ],
    [{ mongoTlsCaFile: 'no/such/global-bundle.pem' }, /mongoTlsCaFile: no file at .*global-bundle/],
    [{ mongoTlsCaFile: 'package.json' }, /mongoTlsCaFile: .*package.json is not a PEM file/],
    [{ mongoAuth: 'x509' }, /mongoAuth must be aws-iam, or unset/],
    [{ mongoAuth: 'aws-iam' }, /aws-iam takes the URI from mongoUri .* not from a secret/],
    [{ mongoAuth: 'aws-iam', mongoUriSecret: 'prod/mongo-uri' }, /not from a secret/],
    [
      { mongoAuth: 'aws-iam', mongoUri: 'mongodb+srv://app:s3cr3t@cluster0.example.net/' },
      /aws-iam needs a mongoUri without user or password/,
    ],
  ])('refuses %o with one line naming the setting', (context, message) => {
    // Act
    const synthesize = () => synthesizeOrderService(context);

    // Assess
    expect(synthesize).toThrow(StackConfigurationError);
    expect(synthesize).toThrow(message);
    try {
      synthesize();
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
      expect((error as Error).message).not.toContain('s3cr3t');
    }
  });
});
