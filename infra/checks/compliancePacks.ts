import {
  HIPAASecurityChecks,
  type NagPack,
  NIST80053R5Checks,
  PCIDSS321Checks,
  ServerlessChecks,
} from 'cdk-nag';
import { StackConfigurationError } from '../errors.js';

/** The cdk-nag packs `-c compliance=<list>` adds next to AwsSolutions and OrderService. */
export const COMPLIANCE_PACKS = {
  serverless: ServerlessChecks,
  'nist-800-53-r5': NIST80053R5Checks,
  'hipaa-security': HIPAASecurityChecks,
  'pci-dss-3.2.1': PCIDSS321Checks,
} as const;

/** One of {@link COMPLIANCE_PACKS}. */
export type CompliancePackName = keyof typeof COMPLIANCE_PACKS;

const NAMES = Object.keys(COMPLIANCE_PACKS) as CompliancePackName[];

/**
 * The packs a `compliance` context value names: comma-separated (an array from cdk.json), or `all`.
 * Throws {@link StackConfigurationError} listing the valid names when one is unknown.
 */
export const compliancePacks = (value: unknown): NagPack[] => {
  const given = (Array.isArray(value) ? value : String(value ?? '').split(','))
    .map((name) => String(name).trim())
    .filter((name) => name !== '');
  const unknown = given.filter((name) => name !== 'all' && !(name in COMPLIANCE_PACKS));
  if (unknown.length > 0) {
    throw new StackConfigurationError(
      `Invalid CDK context: compliance: unknown pack ${unknown.join(', ')}; valid: ${[...NAMES, 'all'].join(', ')} (comma-separated)`,
    );
  }
  const names = given.includes('all') ? NAMES : NAMES.filter((name) => given.includes(name));
  return names.map((name) => new COMPLIANCE_PACKS[name]());
};
