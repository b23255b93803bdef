import { Annotations, App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, type NagPack } from 'cdk-nag';
import { acceptFindings } from './checks/acceptedFindings.js';
import { compliancePacks } from './checks/compliancePacks.js';
import { OrderServiceChecks } from './checks/OrderServiceChecks.js';
import { OrderProcessingStack } from './order-processing-stack.js';
import { type ContextReader, stackPropsFromContext } from './stackPropsFromContext.js';
import { unknownContextKeys } from './unknownContextKeys.js';

/** The app, its one stack, and the cdk-nag packs that validate it on every synthesis. */
export interface OrderServiceApp {
  readonly app: App;
  readonly stack: OrderProcessingStack;
  /** AwsSolutions, OrderService, then the packs of `-c compliance=…`. */
  readonly checks: readonly NagPack[];
}

/** Default stack name; `-c stackName=…` deploys a second copy next to it. */
export const DEFAULT_STACK_NAME = 'OrderProcessing';

/**
 * Builds the CDK app from CDK context (`-c key=value`, see `stackPropsFromContext`) and the
 * environment. cdk-nag runs as a policy-validation plugin: synthesis fails on any finding that is
 * not acknowledged with a reason. `-c compliance=<list>` adds packs (see `compliancePacks`); the
 * accepted findings (`acceptedFindings`) are written into the template for auditors and checkov.
 */
export const createOrderServiceApp = (
  appProps: AppProps = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): OrderServiceApp => {
  const app = new App(appProps);
  const context: ContextReader = (key) => app.node.tryGetContext(key);
  const props = stackPropsFromContext(context, env);
  const stackName = String(context('stackName') ?? DEFAULT_STACK_NAME);
  const stack = new OrderProcessingStack(app, stackName, {
    ...props,
    description: 'Order service: SQS -> Lambda -> MongoDB, with a health Function URL',
    env:
      props.target === 'local'
        ? undefined
        : { account: env.CDK_DEFAULT_ACCOUNT, region: env.CDK_DEFAULT_REGION },
  });
  for (const { key, closest } of unknownContextKeys(Object.keys(app.node.getAllContext()))) {
    Annotations.of(stack).addWarningV2(
      '@order-service/unknown-context-key',
      `Unknown context key ${key}, ignored: did you mean ${closest}? (docs/deployment.md#settings)`,
    );
  }
  const checks = [
    // Copies every acknowledgement into the template, as Metadata.cdk_nag.rules_to_suppress.
    new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }),
    new OrderServiceChecks(app),
    ...compliancePacks(context('compliance')),
  ];
  Validations.of(app).addPlugins(...checks);
  acceptFindings(
    stack,
    checks.map((pack) => pack.readPackName),
  );
  return { app, stack, checks };
};
