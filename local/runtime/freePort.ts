import { createServer } from 'node:net';

/**
 * A loopback port nothing listens on right now: bound by us, then released. Good for starting a
 * server on, or for pointing a client at a dead address.
 */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
