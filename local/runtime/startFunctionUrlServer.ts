import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';

/** A Function URL's handler: payload format 2.0 in, a result or a bare body out. */
export type FunctionUrlHandler = (
  event: LambdaFunctionURLEvent,
) => Promise<LambdaFunctionURLResult>;

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

// Function URLs accept at most 6 MB of request payload.
const MAX_BODY_BYTES = 6 * 1024 * 1024;
const TEXT_TYPE = /^(text\/|application\/(json|xml|x-www-form-urlencoded|javascript))/i;

const clfTime = (date: Date): string => {
  const [, day, month, year, time] = date.toUTCString().split(' ');
  return `${day}/${month}/${year}:${time} +0000`;
};

const readBody = (request: IncomingMessage): Promise<Buffer | 'too-large'> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_BODY_BYTES ? 'too-large' : Buffer.concat(chunks)));
    request.on('error', reject);
  });

/** Builds the payload-format-2.0 event a Function URL would send for this request. */
export const toFunctionUrlEvent = (
  request: IncomingMessage,
  body: Buffer,
  now: Date = new Date(),
): LambdaFunctionURLEvent => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    if (name === 'cookie') cookies.push(...String(value).split(/;\s*/));
    else headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = name in query ? `${query[name]},${value}` : value;
  }
  const binary = body.length > 0 && !TEXT_TYPE.test(headers['content-type'] ?? 'text/plain');
  const domainName = headers.host ?? 'localhost';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(url.search === '' ? {} : { queryStringParameters: query }),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0
      ? { body: body.toString(binary ? 'base64' : 'utf8'), isBase64Encoded: binary }
      : { isBase64Encoded: false }),
  };
};

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
 * Serves a Function-URL handler over HTTP, one request = one invocation with a payload-format-2.0
 * event. A handler error or timeout answers 502 with Lambda's generic body, never the error.
 */
export const startFunctionUrlServer = async (
  options: FunctionUrlServerOptions,
): Promise<FunctionUrlServer> => {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      if (body === 'too-large') {
        send(
          response,
          413,
          { 'content-type': 'application/json' },
          '{"message":"Request Too Long"}',
        );
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      try {
        const result = await Promise.race([
          options.handler(toFunctionUrlEvent(request, body)),
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
