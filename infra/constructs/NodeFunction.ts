import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { type IRole, Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  cdkBundlingOptions,
  type LambdaName,
  lambdaEntries,
  projectRoot,
} from '../lambdaBundling.js';
import type { FunctionNetwork } from './FunctionNetwork.js';

/** What differs between the project's functions; everything else is a shared default. */
export interface NodeFunctionProps {
  /** Which Lambda to bundle (its entry point is in `lambdaEntries`). */
  readonly lambda: LambdaName;
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly environment: Record<string, string>;
  readonly logRetention: RetentionDays;
  /** `ARM_64` on AWS (cheaper per ms); the host's architecture on LocalStack (no emulation). */
  readonly architecture: Architecture;
  /** Whether the log group outlives the stack (`RETAIN` on AWS, `DESTROY` for local stacks). */
  readonly logRemovalPolicy: RemovalPolicy;
  readonly reservedConcurrentExecutions?: number;
  /** Bundle the AWS SDK clients the Lambda runtime provides (for emulators that have none). */
  readonly bundleAwsSdk?: boolean;
  /** The VPC, subnets and security groups to run in; none by default. */
  readonly network?: FunctionNetwork;
  /** Files (absolute paths) copied beside the bundle, at `pathInFunction(file)` at run time. */
  readonly assetFiles?: readonly string[];
  /**
   * A customer-managed key for the log group and the environment, with the log group's name, which
   * the key's policy names (CloudWatch Logs checks the key when it creates the group).
   */
  readonly encryption?: { readonly key: IKey; readonly logGroupName: string };
  /** Lambda active tracing (X-Ray); CDK gives the role the two X-Ray write actions. */
  readonly tracing?: boolean;
}

/**
 * A Node.js 24 Lambda with the project's defaults: ESM bundle built by the local esbuild (minified,
 * no runtime source maps, see `lambdaBundling`), its own log group with a retention, and its own role that may write to that log
 * group and nothing else until the stack grants more.
 */
export class NodeFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: IRole;
  readonly logGroup: LogGroup;
  /** In a VPC: the policy holding the network-interface actions. */
  readonly networkInterfacesPolicy: Policy | undefined;

  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: props.encryption?.logGroupName,
      encryptionKey: props.encryption?.key,
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    // An own role instead of AWSLambdaBasicExecutionRole, whose logs:* reach every log group.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (execution role)`,
    });
    this.logGroup.grantWrite(role);
    this.role = role;

    this.function = new NodejsFunction(this, 'Function', {
      entry: `${projectRoot}/${lambdaEntries[props.lambda]}`,
      handler: 'handler',
      projectRoot,
      depsLockFilePath: `${projectRoot}/package-lock.json`,
      runtime: Runtime.NODEJS_24_X,
      architecture: props.architecture,
      description: props.description,
      timeout: props.timeout,
      memorySize: props.memorySize,
      role,
      logGroup: this.logGroup,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: props.environment,
      environmentEncryption: props.encryption?.key,
      tracing: props.tracing ? Tracing.ACTIVE : undefined,
      bundling: cdkBundlingOptions({ bundleAwsSdk: props.bundleAwsSdk, files: props.assetFiles }),
      vpc: props.network?.vpc,
      vpcSubnets: props.network?.subnets,
      securityGroups: props.network ? [...props.network.securityGroups] : undefined,
    });
    this.networkInterfacesPolicy = props.network && this.allowNetworkInterfaces(role);
  }

  // Lambda creates and deletes a VPC function's network interfaces with its execution role, when
  // the function is created or updated: CDK grants this (AWSLambdaVPCAccessExecutionRole) only to
  // roles it creates. The same EC2 actions, without that policy's logs:* on every log group.
  private allowNetworkInterfaces(role: IRole): Policy {
    const policy = new Policy(this, 'NetworkInterfaces', {
      roles: [role],
      statements: [
        new PolicyStatement({
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      ],
    });
    // The function may only be created once its role holds these.
    this.function.node.addDependency(policy);
    return policy;
  }
}
