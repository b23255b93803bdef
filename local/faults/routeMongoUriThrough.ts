import { ConnectionString } from 'mongodb-connection-string-url';

/**
 * Rewrites a MongoDB connection string to reach its (single) server through a proxy: the host is
 * replaced by the proxy's, and `directConnection=true` keeps the driver from discovering the real
 * address from the server's `hello` answer and bypassing the proxy. Credentials and other options
 * are kept.
 */
export const routeMongoUriThrough = (
  uri: string,
  proxy: { readonly host: string; readonly port: number },
): string => {
  const connectionString = new ConnectionString(uri);
  if (connectionString.isSRV)
    throw new Error('a mongodb+srv:// URI cannot be routed through a proxy');
  if (connectionString.hosts.length !== 1) {
    throw new Error('only a single-server MongoDB URI can be routed through the fault proxy');
  }
  connectionString.hosts = [`${proxy.host}:${proxy.port}`];
  connectionString.searchParams.set('directConnection', 'true');
  return connectionString.toString();
};

/** The host and port a single-server MongoDB URI points at. */
export const mongoUriTarget = (uri: string): { host: string; port: number } => {
  const connectionString = new ConnectionString(uri);
  const [first] = connectionString.hosts;
  if (connectionString.isSRV || first === undefined || connectionString.hosts.length !== 1) {
    throw new Error('the fault proxy needs a single-server mongodb:// URI');
  }
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(first);
  if (match === null) throw new Error('unreadable host in the MongoDB URI');
  return { host: (match[1] ?? '').replace(/^\[|\]$/g, ''), port: Number(match[2] ?? 27017) };
};
