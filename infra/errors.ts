/** A stack prop or CDK context value is out of range or malformed; the message names it. */
export class StackConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StackConfigurationError';
  }
}
