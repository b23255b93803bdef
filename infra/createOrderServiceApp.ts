import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { OrderServiceChecks } from './checks/OrderServiceChecks.js';
import { OrderProcessingStack } from './order-processing-stack.js';
import { type ContextReader, stackPropsFromContext } from './stackPropsFromContext.js';

/** The app, its one stack, and the cdk-nag packs that validate it on every synthesis. */
export interface OrderServiceApp {
  readonly app: App;
  readonly stack: OrderProcessingStack;
  readonly checks: readonly [AwsSolutionsChecks, OrderServiceChecks];
}

/** Default stack name; `-c stackName=…` deploys a second copy next to it. */
export const DEFAULT_STACK_NAME = 'OrderProcessing';

/**
 * Builds the CDK app from CDK context (`-c key=value`, see `stackPropsFromContext`) and the
 * environment. cdk-nag runs as a policy-validation plugin: synthesis fails on any finding that is
 * not acknowledged with a reason.
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
  const checks = [new AwsSolutionsChecks(app), new OrderServiceChecks(app)] as const;
  Validations.of(app).addPlugins(...checks);
  return { app, stack, checks };
};
