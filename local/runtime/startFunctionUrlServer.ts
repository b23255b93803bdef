import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { LambdaFunctionURLResult } from 'aws-lambda';

/**
 * What the served handler reads of a Function URL request: the method (the health check ignores
 * path, query and body). The request as AWS delivers it (payload format 2.0) fits this shape.
 */
export interface FunctionUrlRequest {
  readonly requestContext: { readonly http: { readonly method: string } };
}

/** A Function URL's handler: a request in, a result or a bare body out. */
export type FunctionUrlHandler = (event: FunctionUrlRequest) => Promise<LambdaFunctionURLResult>;

/** Options of {@link startFunctionUrlServer}. */
export interface FunctionUrlServerOptions {
  readonly handler: FunctionUrlHandler;
  /** 0 picks a free port. */
  readonly port: number;
  readonly host?: string;
  /** The function timeout; a slower answer becomes a 502, as on AWS. */
  readonly timeoutMs?: number;
  readonly logger: Pick<Logger, 'error'>;
}

/** A running server. */
export interface FunctionUrlServer {
  /** Base URL, e.g. `http://127.0.0.1:3000/`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const send = (
  response: ServerResponse,
  status: number,
  headers: Record<string, string | string[]>,
  body: string | Buffer,
): void => {
  response.writeHead(status, headers);
  response.end(body);
};

const sendResult = (response: ServerResponse, result: LambdaFunctionURLResult): void => {
  // A bare string or an object without statusCode is a 200 JSON body, as Function URLs infer it.
  if (typeof result === 'string') {
    send(response, 200, { 'content-type': 'application/json' }, result);
    return;
  }
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    send(response, 200, { 'content-type': 'application/json' }, JSON.stringify(result));
    return;
  }
  const headers: Record<string, string | string[]> = {
    'content-type': 'application/json',
    ...Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)])),
  };
  if (result.cookies !== undefined && result.cookies.length > 0) {
    headers['set-cookie'] = result.cookies;
  }
  const body =
    result.body === undefined
      ? ''
      : result.isBase64Encoded
        ? Buffer.from(result.body, 'base64')
        : result.body;
  send(response, result.statusCode ?? 200, headers, body);
};

/**
 * Serves a Function-URL handler over HTTP, one request = one invocation. A handler error or
 * timeout answers 502 with Lambda's generic body, never the error.
 */
export const startFunctionUrlServer = async (
  options: FunctionUrlServerOptions,
): Promise<FunctionUrlServer> => {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const server = createServer((request, response) => {
    void (async () => {
      request.resume();
      let timer: NodeJS.Timeout | undefined;
      try {
        const result = await Promise.race([
          options.handler({ requestContext: { http: { method: request.method ?? 'GET' } } }),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('Task timed out')), timeoutMs);
          }),
        ]);
        sendResult(response, result);
      } catch (error) {
        options.logger.error('function URL invocation failed', {
          error: error instanceof Error ? error.message : String(error),
        });
        if (!response.headersSent) {
          send(
            response,
            502,
            { 'content-type': 'application/json' },
            '{"message":"Internal Server Error"}',
          );
        }
      } finally {
        clearTimeout(timer);
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
