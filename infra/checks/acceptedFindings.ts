import { type CfnResource, Validations } from 'aws-cdk-lib';
import { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import { CfnEventSourceMapping, CfnPermission } from 'aws-cdk-lib/aws-lambda';
import { CfnSubscription } from 'aws-cdk-lib/aws-sns';
import type { IConstruct } from 'constructs';
import type { OrderProcessingStack } from '../order-processing-stack.js';
import type { OrderProcessingSettings } from '../orderProcessingStackProps.js';

const cfn = (...constructs: (IConstruct | undefined)[]): CfnResource[] =>
  constructs.flatMap((construct) =>
    construct ? [(construct.node.defaultChild ?? construct) as CfnResource] : [],
  );

/** The parts of the stack a finding can be accepted on, each with its name in docs/security.md. */
const RESOURCES = {
  queue: { name: 'order queue', of: (stack) => cfn(stack.queues.queue) },
  deadLetterQueue: { name: 'dead-letter queue', of: (stack) => cfn(stack.queues.deadLetterQueue) },
  eventSourceMapping: {
    name: 'consumer event source mapping',
    of: (stack) => stack.consumer.function.node.findAll().filter(isA(CfnEventSourceMapping)),
  },
  consumer: { name: 'consumer function', of: (stack) => cfn(stack.consumer.function) },
  health: { name: 'health function', of: (stack) => cfn(stack.health.function) },
  functions: {
    name: 'both functions',
    of: (stack) => cfn(stack.consumer.function, stack.health.function),
  },
  logGroups: {
    name: 'both log groups',
    of: (stack) => cfn(stack.consumer.logGroup, stack.health.logGroup),
  },
  alarmTopic: { name: 'alarm topic', of: (stack) => cfn(stack.monitoring.alarmTopic) },
  alarmEmailSubscription: {
    name: 'alarm e-mail subscription',
    of: (stack) => stack.monitoring.node.findAll().filter(isA(CfnSubscription)),
  },
  healthUrl: { name: 'health Function URL', of: (stack) => cfn(stack.healthUrl) },
  healthUrlPermissions: {
    name: 'health function’s public invoke permissions',
    of: (stack) => stack.health.function.node.children.filter(isA(CfnPermission)),
  },
  rolePolicies: {
    name: 'every policy of both execution roles',
    of: (stack) => [stack.consumer, stack.health].flatMap(policiesIn),
  },
  // CDK gives the role of a traced function a policy of its own, under the function.
  tracingPolicies: {
    name: 'both execution roles’ X-Ray policies',
    of: (stack) => [stack.consumer.function, stack.health.function].flatMap(policiesIn),
  },
  networkInterfacePolicies: {
    name: 'both network-interface policies',
    of: (stack) =>
      cfn(stack.consumer.networkInterfacesPolicy, stack.health.networkInterfacesPolicy),
  },
} satisfies Record<string, { name: string; of: (stack: OrderProcessingStack) => CfnResource[] }>;

function policiesIn(scope: IConstruct): CfnPolicy[] {
  return scope.node.findAll().filter(isA(CfnPolicy));
}

function isA<T extends CfnResource>(type: abstract new (...args: never[]) => T) {
  return (construct: IConstruct): construct is T => construct instanceof type;
}

/** When a finding is accepted: the options it depends on. */
interface Condition {
  /** The options, as docs/security.md shows them. */
  readonly options: string;
  readonly holds: (settings: OrderProcessingSettings) => boolean;
}

const WHEN = {
  always: { options: 'any', holds: () => true },
  noCustomerKey: {
    options: 'no `encryption=kms` or `kmsKeyArn` (default)',
    holds: (settings) => settings.encryptionKey === undefined,
  },
  noVpc: { options: 'no `vpcId` (default)', holds: (settings) => settings.vpc === undefined },
  inVpc: { options: '`vpcId`', holds: (settings) => settings.vpc !== undefined },
  publicHealthUrl: {
    options: '`functionUrlAuth=NONE` (default)',
    holds: (settings) => settings.functionUrlAuth === 'NONE',
  },
  noTracing: {
    options: 'no `tracing=active` (default)',
    holds: (settings) => settings.tracing === undefined,
  },
  tracing: { options: '`tracing=active`', holds: (settings) => settings.tracing === 'active' },
  alarmEmail: {
    options: '`alarmEmail`',
    holds: (settings) => settings.alarmEmail !== undefined,
  },
  unreservedHealth: {
    options: '`healthReservedConcurrency=none`',
    holds: (settings) => settings.healthReservedConcurrency === undefined,
  },
} satisfies Record<string, Condition>;

/** A scanner finding this design accepts, on one kind of resource, with its reason. */
export interface AcceptedFinding {
  readonly resource: keyof typeof RESOURCES;
  readonly when: Condition;
  /** cdk-nag rule ids, pack prefix included; each is acknowledged only when its pack runs. */
  readonly nag: readonly string[];
  /** checkov check ids, skipped in the resource's template metadata. */
  readonly checkov: readonly string[];
  /** The control that covers the risk, or the option that removes it. */
  readonly reason: string;
}

const CUSTOMER_KEY = '-c encryption=kms (or kmsKeyArn) for a customer-managed key.';
const PUBLIC_HEALTH_URL =
  'Uptime monitors call the health URL without AWS credentials (decision 0005). An anonymous caller can only make it run three bounded reads (two GetQueueAttributes, one ping; query and body ignored), at most healthReservedConcurrency at a time; it answers only status flags, depths and latencies. -c functionUrlAuth=AWS_IAM requires SigV4.';

const packs = (rule: string, ...prefixes: string[]) => prefixes.map((p) => `${p}-${rule}`);
const NIST_HIPAA_PCI = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];
const SERVERLESS_NIST_HIPAA = ['Serverless', 'NIST.800.53.R5', 'HIPAA.Security'];

/** Every accepted finding: the one place, read by the stack's synthesis and docs/security.md. */
export const ACCEPTED_FINDINGS: readonly AcceptedFinding[] = [
  {
    resource: 'deadLetterQueue',
    when: WHEN.always,
    nag: ['Serverless-SQSRedrivePolicy'],
    checkov: [],
    reason:
      'It is the dead-letter queue: its messages stay 14 days, DeadLetterQueueAlarm fires on the first, and npm run dlq lists and redrives them.',
  },
  {
    resource: 'eventSourceMapping',
    when: WHEN.always,
    nag: ['Serverless-LambdaEventSourceMappingDestination'],
    checkov: [],
    reason:
      'An SQS event source mapping has no on-failure destination; the queue’s redrive policy sends failures to the DLQ.',
  },
  {
    resource: 'consumer',
    when: WHEN.always,
    nag: packs('LambdaDLQ', ...SERVERLESS_NIST_HIPAA),
    checkov: ['CKV_AWS_116'],
    reason:
      'Only its SQS event source mapping invokes it, synchronously, and a Lambda DLQ catches failed asynchronous invocations only; failed records return to the queue, whose redrive policy moves them to the DLQ.',
  },
  {
    resource: 'health',
    when: WHEN.always,
    nag: packs('LambdaDLQ', ...SERVERLESS_NIST_HIPAA),
    checkov: ['CKV_AWS_116'],
    reason:
      'Only its Function URL invokes it, synchronously, so the caller sees a failure; a Lambda DLQ catches failed asynchronous invocations only.',
  },
  {
    resource: 'consumer',
    when: WHEN.always,
    nag: packs('LambdaConcurrency', 'NIST.800.53.R5', 'HIPAA.Security'),
    checkov: ['CKV_AWS_115'],
    reason:
      'The event source mapping’s MaximumConcurrency (maxConcurrency, default 5) caps its concurrent invocations, and with them MongoDB connections, without taking concurrency from the account.',
  },
  {
    resource: 'rolePolicies',
    when: WHEN.always,
    nag: packs('IAMNoInlinePolicy', ...NIST_HIPAA_PCI),
    checkov: [],
    reason:
      'Each policy belongs to one function’s own role, is created and deleted with it, and names this stack’s resources only (but for actions that take none); a managed policy would be one more object other roles could attach.',
  },
  {
    resource: 'queue',
    when: WHEN.noCustomerKey,
    nag: [],
    checkov: ['CKV_AWS_27'],
    reason: `SSE-SQS encrypts the messages at rest; ${CUSTOMER_KEY}`,
  },
  {
    resource: 'deadLetterQueue',
    when: WHEN.noCustomerKey,
    nag: [],
    checkov: ['CKV_AWS_27'],
    reason: `SSE-SQS encrypts the messages at rest; ${CUSTOMER_KEY}`,
  },
  {
    resource: 'logGroups',
    when: WHEN.noCustomerKey,
    nag: packs('CloudWatchLogGroupEncrypted', ...NIST_HIPAA_PCI),
    checkov: ['CKV_AWS_158'],
    reason: `CloudWatch Logs encrypts log data at rest with its own keys; ${CUSTOMER_KEY}`,
  },
  {
    resource: 'alarmTopic',
    when: WHEN.noCustomerKey,
    nag: ['AwsSolutions-SNS2', ...packs('SNSEncryptedKMS', ...NIST_HIPAA_PCI)],
    checkov: ['CKV_AWS_26'],
    reason: `The topic carries CloudWatch alarm notifications only (alarm name, state, metric values), no order data, and CloudWatch cannot publish to a topic under the AWS managed SNS key; ${CUSTOMER_KEY}`,
  },
  {
    resource: 'functions',
    when: WHEN.noCustomerKey,
    nag: [],
    checkov: ['CKV_AWS_173'],
    reason: `Lambda encrypts the environment at rest with an AWS managed key, and it holds no secret: a MongoDB URI with credentials comes from Secrets Manager (synthesis warns about a plain one); ${CUSTOMER_KEY}`,
  },
  {
    resource: 'functions',
    when: WHEN.noVpc,
    nag: packs('LambdaInsideVPC', ...NIST_HIPAA_PCI),
    checkov: ['CKV_AWS_117'],
    reason:
      'The functions accept no inbound connection, and reach MongoDB over TLS with authentication and the AWS APIs over HTTPS; -c vpcId with subnetIds runs them in your VPC.',
  },
  {
    resource: 'healthUrl',
    when: WHEN.publicHealthUrl,
    nag: ['OrderService-LambdaFunctionUrlAuth'],
    checkov: ['CKV_AWS_258'],
    reason: PUBLIC_HEALTH_URL,
  },
  {
    resource: 'healthUrlPermissions',
    when: WHEN.publicHealthUrl,
    nag: packs('LambdaFunctionPublicAccessProhibited', ...NIST_HIPAA_PCI),
    checkov: [],
    reason: PUBLIC_HEALTH_URL,
  },
  {
    resource: 'functions',
    when: WHEN.noTracing,
    nag: ['Serverless-LambdaTracing'],
    checkov: [],
    reason:
      'Off by default, since X-Ray costs per trace: each record’s outcome is in the consumer’s logs and EMF metrics; -c tracing=active turns it on.',
  },
  {
    resource: 'tracingPolicies',
    when: WHEN.tracing,
    nag: ['AwsSolutions-IAM5[Resource::*]'],
    checkov: [],
    reason:
      'xray:PutTraceSegments and xray:PutTelemetryRecords, all this policy holds, support no resource-level permissions.',
  },
  {
    resource: 'health',
    when: WHEN.unreservedHealth,
    nag: packs('LambdaConcurrency', 'NIST.800.53.R5', 'HIPAA.Security'),
    checkov: ['CKV_AWS_115'],
    reason:
      'Chosen for accounts whose concurrency quota is the minimum 10, where Lambda refuses any reservation; -c healthReservedConcurrency=2 (the default) caps it again.',
  },
  {
    resource: 'alarmEmailSubscription',
    when: WHEN.alarmEmail,
    nag: ['Serverless-SNSRedrivePolicy'],
    checkov: [],
    reason:
      'A failed e-mail delivery loses one notification, not an order: the alarm stays in ALARM, on the dashboard, until its cause is gone.',
  },
  {
    resource: 'networkInterfacePolicies',
    when: WHEN.inVpc,
    nag: ['AwsSolutions-IAM5[Resource::*]'],
    checkov: ['CKV_AWS_111'],
    reason:
      'The network-interface actions of AWSLambdaVPCAccessExecutionRole, which Lambda uses to attach the function to its subnets: the Describe actions work only on *, and the interfaces Lambda creates and deletes get ids only then.',
  },
];

/**
 * Writes each accepted finding that holds for this stack onto its resources: a cdk-nag
 * acknowledgement for each rule of a pack that runs (`packNames`), which cdk-nag copies into the
 * template's `Metadata.cdk_nag`, and a checkov skip in `Metadata.checkov.skip`.
 */
export const acceptFindings = (stack: OrderProcessingStack, packNames: readonly string[]): void => {
  for (const finding of ACCEPTED_FINDINGS.filter((f) => f.when.holds(stack.settings))) {
    for (const resource of RESOURCES[finding.resource].of(stack)) {
      for (const id of finding.nag) {
        if (packNames.some((pack) => id.startsWith(`${pack}-`))) {
          Validations.of(resource).acknowledge({ id, reason: finding.reason });
        }
      }
      const skip = (resource.getMetadata('checkov')?.skip ?? []) as unknown[];
      const added = finding.checkov.map((id) => ({ id, comment: finding.reason }));
      if (added.length > 0) resource.addMetadata('checkov', { skip: [...skip, ...added] });
    }
  }
};

/** Where docs/security.md reads a finding's resource and options. */
export const describeFinding = (finding: AcceptedFinding) => ({
  resource: RESOURCES[finding.resource].name,
  options: finding.when.options,
});
