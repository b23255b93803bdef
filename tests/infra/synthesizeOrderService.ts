import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PolicyValidationPluginReport } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createOrderServiceApp, type OrderServiceApp } from '../../infra/createOrderServiceApp.js';
import { projectRoot } from '../../infra/lambdaBundling.js';

// The feature flags `cdk synth` reads from cdk.json, so tests see the template the CLI produces.
const cdkJsonContext = (): Record<string, unknown> =>
  JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')).context;

/** A synthesized order-service app: its template and what each cdk-nag pack reported. */
export interface SynthesizedOrderService extends OrderServiceApp {
  readonly template: Template;
  readonly nagReports: readonly PolicyValidationPluginReport[];
}

/**
 * Synthesizes the app as `cdk synth -c key=value…` would, without AWS credentials. `bundle: false`
 * skips esbuild (CDK's `aws:cdk:bundling-stacks`) for tests that only read the template.
 */
export const synthesizeOrderService = (
  context: Record<string, unknown> = {},
  { bundle = false }: { bundle?: boolean } = {},
): SynthesizedOrderService => {
  const built = createOrderServiceApp(
    {
      context: {
        ...cdkJsonContext(),
        ...context,
        ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      },
    },
    { CDK_DEFAULT_REGION: 'eu-west-1', CDK_DEFAULT_ACCOUNT: '123456789012' },
  );
  const template = Template.fromStack(built.stack);
  const nagReports = built.checks.map((pack) => pack.validateScope(built.app));
  return { ...built, template, nagReports };
};

// The resource types read here always carry Properties.
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** The logical id of the one resource of `type` whose properties satisfy `match`. */
export const logicalIdOf = (
  template: Template,
  type: string,
  match: (properties: Record<string, unknown>) => boolean,
): string => {
  const ids = Object.entries(template.findResources(type) as Resources)
    .filter(([, resource]) => match(resource.Properties))
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return ids[0] as string;
};

const DESCRIPTION_PREFIX = { Consumer: 'Order consumer', Health: 'Order service health' } as const;

/** The IAM statements attached to the execution role of the `Consumer` or `Health` function. */
export const statementsOfFunction = (
  template: Template,
  lambda: keyof typeof DESCRIPTION_PREFIX,
): unknown[] => {
  const functions = template.findResources('AWS::Lambda::Function') as Resources;
  const functionId = logicalIdOf(template, 'AWS::Lambda::Function', (properties) =>
    String(properties.Description).startsWith(DESCRIPTION_PREFIX[lambda]),
  );
  const roleRef = functions[functionId]?.Properties.Role as { 'Fn::GetAtt': [string, string] };
  const role = roleRef['Fn::GetAtt'][0];
  const policies = Object.values(template.findResources('AWS::IAM::Policy') as Resources).filter(
    (policy) => (policy.Properties.Roles as { Ref: string }[]).some((ref) => ref.Ref === role),
  );
  return policies.flatMap(
    (policy) => (policy.Properties.PolicyDocument as { Statement: unknown[] }).Statement,
  );
};
