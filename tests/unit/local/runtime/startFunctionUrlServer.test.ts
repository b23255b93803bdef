import { afterEach, describe, expect, it } from 'vitest';
import { LocalLogger } from '../../../../local/runtime/LocalLogger.js';
import {
  type FunctionUrlHandler,
  type FunctionUrlRequest,
  type FunctionUrlServer,
  startFunctionUrlServer,
} from '../../../../local/runtime/startFunctionUrlServer.js';

const logger = new LocalLogger({ serviceName: 'test', logLevel: 'SILENT', sink: () => undefined });
let server: FunctionUrlServer | undefined;

const serve = async (handler: FunctionUrlHandler, timeoutMs?: number) => {
  server = await startFunctionUrlServer({
    handler,
    port: 0,
    logger,
    ...(timeoutMs ? { timeoutMs } : {}),
  });
  return server;
};

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('startFunctionUrlServer', () => {
  it('hands the handler the request method and returns its response', async () => {
    // Prepare
    const events: FunctionUrlRequest[] = [];
    const { url } = await serve(async (event) => {
      events.push(event);
      return { statusCode: 201, headers: { 'x-test': 'yes' }, body: '{"ok":true}' };
    });

    // Act
    const response = await fetch(`${url}health?a=1&a=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'c1=v1; c2=v2' },
      body: '{"x":1}',
    });

    // Assess
    expect(response.status).toBe(201);
    expect(response.headers.get('x-test')).toBe('yes');
    expect(await response.json()).toEqual({ ok: true });
    expect(events).toEqual([{ requestContext: { http: { method: 'POST' } } }]);
  });

  it('answers a bare object as a 200 JSON body', async () => {
    // Prepare
    const { url } = await serve(async () => ({ status: 'fine' }) as never);

    // Act
    const response = await fetch(url);

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'fine' });
  });

  it('answers 502 without the error when the handler throws or times out', async () => {
    // Prepare
    const { url } = await serve(async (event) => {
      if (event.requestContext.http.method === 'PUT') return new Promise(() => undefined);
      throw new Error('secret detail');
    }, 200);

    // Act
    const thrown = await fetch(url);
    const slow = await fetch(url, { method: 'PUT' });

    // Assess
    expect([thrown.status, slow.status]).toEqual([502, 502]);
    expect(await thrown.text()).not.toContain('secret');
  });
});
