/**
 * The host (and port) part of a MongoDB URI, for messages: a URI may carry credentials, so it is
 * never printed whole.
 */
export const mongoHostOf = (uri: string): string =>
  uri.replace(/^mongodb(\+srv)?:\/\/([^@/]*@)?/, '').split('/')[0] ?? '';
