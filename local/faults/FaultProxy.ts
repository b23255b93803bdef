import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Document } from 'mongodb';
import { documentOf, replyTo, WireFramer, type WireMessage } from './mongoWire.js';
import { helloAs, isHello, refusalOf, type ServerPersonality } from './serverPersonalities.js';

/**
 * How the proxy treats traffic from now on.
 *
 * - `pass`: forwards both ways.
 * - `latency`: forwards every chunk, both ways, `ms` later (order kept).
 * - `blackhole`: accepts connections and reads, never forwards nor answers, on new and existing
 *   connections alike (a network partition). Leaving it resets the connections it swallowed
 *   bytes from, whose streams are corrupt, as a healed partition does.
 * - `refuse`: stops listening, so connecting fails with ECONNREFUSED (a server that is down).
 *   Connections already open are untouched; call {@link FaultProxy.resetAll} as well for a crash.
 * - `reset-on-accept`: accepts, then resets at once (a server that crashes on every connection).
 * - `drop-replies`: forwards what clients send, drops what the server answers, on new and existing
 *   connections alike: the server carries out a command whose answer never arrives. Leaving it
 *   resets the connections it dropped answers on, as leaving `blackhole` does.
 * - `throttle`: forwards, but the server's personality answers every write with its documented
 *   "busy, retry later" error, advising `retryAfterMs` (Cosmos DB's 16500 while its request units
 *   are spent; only the `cosmos` personality documents one).
 */
export type FaultMode =
  | { readonly kind: 'pass' }
  | { readonly kind: 'latency'; readonly ms: number }
  | { readonly kind: 'blackhole' }
  | { readonly kind: 'refuse' }
  | { readonly kind: 'reset-on-accept' }
  | { readonly kind: 'drop-replies' }
  | { readonly kind: 'throttle'; readonly retryAfterMs: number };

/** Where the proxy listens and what it forwards to. */
export interface FaultProxyOptions {
  readonly targetHost: string;
  readonly targetPort: number;
  /** Default 127.0.0.1. */
  readonly listenHost?: string;
  /** Default 0: a free port. The port is kept while refusing, so clients can reconnect. */
  readonly listenPort?: number;
  /** Which server to answer as (see {@link ServerPersonality}); default `ferretdb`, as it is. */
  readonly personality?: ServerPersonality;
  /** Keep every command clients send, for {@link FaultProxy.commands}; default off. */
  readonly recordCommands?: boolean;
}

/** Counters since start. */
export interface FaultProxyStats {
  accepted: number;
  /** Connections the proxy reset: reset-all, reset-on-accept, leaving blackhole or drop-replies. */
  reset: number;
  /** Connections accepted into a blackhole. */
  swallowed: number;
  bytesToTarget: number;
  bytesFromTarget: number;
}

/** One direction of a connection: chunks held back by latency leave in order. */
class Channel {
  readonly #from: Socket;
  readonly #to: Socket;
  readonly #queue: { chunk: Buffer; releaseAt: number }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #endWhenDrained = false;

  constructor(from: Socket, to: Socket) {
    this.#from = from;
    this.#to = to;
  }

  push(chunk: Buffer, delayMs: number): void {
    const last = this.#queue.at(-1)?.releaseAt ?? 0;
    if (delayMs <= 0 && this.#queue.length === 0) {
      this.#write(chunk);
      return;
    }
    this.#queue.push({ chunk, releaseAt: Math.max(last, Date.now() + delayMs) });
    this.#schedule();
  }

  /** Ends the destination once what is held back has left: bytes in flight still arrive. */
  end(): void {
    this.#endWhenDrained = true;
    if (this.#queue.length === 0) this.#to.end();
  }

  clear(): void {
    this.#queue.length = 0;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #write(chunk: Buffer): void {
    if (this.#to.destroyed) return;
    // Backpressure: a slow reader slows the writer, as TCP does.
    if (!this.#to.write(chunk)) {
      this.#from.pause();
      this.#to.once('drain', () => this.#from.resume());
    }
  }

  #schedule(): void {
    if (this.#timer !== undefined) return;
    const head = this.#queue[0];
    if (head === undefined) return;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        const now = Date.now();
        while ((this.#queue[0]?.releaseAt ?? Number.POSITIVE_INFINITY) <= now) {
          const next = this.#queue.shift();
          if (next !== undefined) this.#write(next.chunk);
        }
        if (this.#queue.length > 0) this.#schedule();
        else if (this.#endWhenDrained) this.#to.end();
      },
      Math.max(0, head.releaseAt - Date.now()),
    );
  }
}

interface Link {
  readonly client: Socket;
  readonly requests: WireFramer;
  readonly replies: WireFramer;
  /** The `hello` requests awaiting their answer, by request id: the personality rewrites those. */
  readonly hellos: Map<number, WireMessage>;
  readonly target: Socket | undefined;
  readonly up: Channel | undefined;
  readonly down: Channel | undefined;
  /** Bytes were dropped: the stream is corrupt and must never forward again. */
  swallowed: boolean;
  /** A request went up in `drop-replies` mode: its answer is dropped, whenever it comes. */
  dropsReplies: boolean;
}

/**
 * A MongoDB proxy that breaks the connection between the code and its server on command, and
 * answers as the server users run (see {@link ServerPersonality}): the in-process equivalent of
 * toxiproxy, with no build step, that reads the wire protocol's message frames. Used by the fault
 * tests and by `npm run chaos` between the consumer and MongoDB.
 *
 * @example
 * ```ts
 * const proxy = await FaultProxy.start({ targetHost: '127.0.0.1', targetPort: 27017 });
 * const uri = routeMongoUriThrough(mongoUri, proxy);
 * await proxy.setMode({ kind: 'refuse' });
 * proxy.resetAll();
 * ```
 */
export class FaultProxy {
  readonly #options: FaultProxyOptions;
  readonly #links = new Set<Link>();
  readonly #stats: FaultProxyStats = {
    accepted: 0,
    reset: 0,
    swallowed: 0,
    bytesToTarget: 0,
    bytesFromTarget: 0,
  };
  readonly #commands: Document[] = [];
  #server: Server | undefined;
  #mode: FaultMode = { kind: 'pass' };
  #port = 0;

  private constructor(options: FaultProxyOptions) {
    this.#options = options;
  }

  /** Starts listening; resolves once the port is bound. */
  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const proxy = new FaultProxy(options);
    await proxy.#listen(options.listenPort ?? 0);
    return proxy;
  }

  /** The host clients connect to. */
  get host(): string {
    return this.#options.listenHost ?? '127.0.0.1';
  }

  /** The port clients connect to; kept across `refuse`. */
  get port(): number {
    return this.#port;
  }

  get #personality(): ServerPersonality {
    return this.#options.personality ?? 'ferretdb';
  }

  get mode(): FaultMode {
    return this.#mode;
  }

  /** The commands clients sent so far, in order (with `recordCommands`). */
  commands(): readonly Document[] {
    return [...this.#commands];
  }

  /** A copy of the counters. */
  stats(): FaultProxyStats {
    return { ...this.#stats };
  }

  /** Connections open right now. */
  get openConnections(): number {
    return this.#links.size;
  }

  /** Switches the fault mode; resolves once listening has stopped or resumed as needed. */
  async setMode(mode: FaultMode): Promise<void> {
    if (mode.kind === 'throttle' && this.#personality !== 'cosmos') {
      throw new Error(`the ${this.#personality} personality documents no throttling answer`);
    }
    const previous = this.#mode;
    this.#mode = mode;
    if (previous.kind !== mode.kind) {
      for (const link of this.#links) if (link.swallowed || link.dropsReplies) this.#reset(link);
    }
    if (mode.kind === 'refuse' && this.#server !== undefined) {
      const server = this.#server;
      this.#server = undefined;
      // close() stops accepting at once; its callback would wait for open connections.
      server.close();
    } else if (mode.kind !== 'refuse' && this.#server === undefined) {
      await this.#listen(this.#port);
    }
  }

  /** Resets every open connection now (RST both ways); returns how many. */
  resetAll(): number {
    const links = [...this.#links];
    for (const link of links) this.#reset(link);
    return links.length;
  }

  /** Resets every connection and stops listening. */
  async stop(): Promise<void> {
    this.resetAll();
    const server = this.#server;
    this.#server = undefined;
    this.#mode = { kind: 'refuse' };
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #listen(port: number): Promise<void> {
    const server = createServer((client) => this.#accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    this.#port = typeof address === 'object' && address !== null ? address.port : port;
    this.#server = server;
  }

  #accept(client: Socket): void {
    this.#stats.accepted++;
    client.setNoDelay(true);
    client.on('error', () => undefined);
    if (this.#mode.kind === 'reset-on-accept' || this.#mode.kind === 'refuse') {
      this.#stats.reset++;
      client.resetAndDestroy();
      return;
    }
    if (this.#mode.kind === 'blackhole') {
      const link: Link = {
        client,
        requests: new WireFramer(),
        replies: new WireFramer(),
        hellos: new Map(),
        target: undefined,
        up: undefined,
        down: undefined,
        swallowed: true,
        dropsReplies: false,
      };
      this.#stats.swallowed++;
      this.#links.add(link);
      client.on('data', () => undefined);
      client.on('close', () => this.#links.delete(link));
      return;
    }
    const target = connect({ host: this.#options.targetHost, port: this.#options.targetPort });
    target.setNoDelay(true);
    const link: Link = {
      client,
      requests: new WireFramer(),
      replies: new WireFramer(),
      hellos: new Map(),
      target,
      up: new Channel(client, target),
      down: new Channel(target, client),
      swallowed: false,
      dropsReplies: false,
    };
    this.#links.add(link);
    client.on('data', (chunk: Buffer) => this.#forward(link, 'up', chunk));
    target.on('data', (chunk: Buffer) => this.#forward(link, 'down', chunk));
    client.on('end', () => link.up?.end());
    target.on('end', () => link.down?.end());
    // A failed or reset target resets the client, as a dead server would.
    target.on('error', () => this.#reset(link));
    client.on('close', () => {
      if (target.destroyed) this.#links.delete(link);
    });
    target.on('close', () => {
      if (client.destroyed) this.#links.delete(link);
    });
    client.on('close', (hadError) => {
      if (hadError) this.#reset(link);
    });
  }

  #forward(link: Link, direction: 'up' | 'down', chunk: Buffer): void {
    if (this.#mode.kind === 'drop-replies' && direction === 'up') link.dropsReplies = true;
    if (this.#mode.kind === 'blackhole' || (link.dropsReplies && direction === 'down')) {
      link.swallowed = true;
    }
    if (link.swallowed) return;
    const delayMs = this.#mode.kind === 'latency' ? this.#mode.ms : 0;
    if (direction === 'up') {
      this.#stats.bytesToTarget += chunk.length;
      for (const request of link.requests.push(chunk)) this.#request(link, request, delayMs);
    } else {
      this.#stats.bytesFromTarget += chunk.length;
      for (const reply of link.replies.push(chunk)) this.#reply(link, reply, delayMs);
    }
  }

  /** Passes a request to the server, unless the personality answers it itself. */
  #request(link: Link, request: WireMessage, delayMs: number): void {
    const command = documentOf(request);
    if (command !== undefined) {
      if (this.#options.recordCommands) this.#commands.push(command);
      const refusal = refusalOf(this.#personality, command, {
        ...(this.#mode.kind === 'throttle'
          ? { throttleRetryAfterMs: this.#mode.retryAfterMs }
          : {}),
      });
      if (refusal !== undefined) {
        link.down?.push(replyTo(request, refusal), delayMs);
        return;
      }
      if (isHello(command)) link.hellos.set(request.requestId, request);
    }
    link.up?.push(request.bytes, delayMs);
  }

  /** Passes the server's reply to the client, a `hello` answer as the personality gives it. */
  #reply(link: Link, reply: WireMessage, delayMs: number): void {
    const hello = link.hellos.get(reply.responseTo);
    const answer = hello === undefined ? undefined : documentOf(reply);
    link.hellos.delete(reply.responseTo);
    const bytes =
      hello === undefined || answer === undefined
        ? reply.bytes
        : replyTo(hello, helloAs(this.#personality, answer, `${this.host}:${this.port}`));
    link.down?.push(bytes, delayMs);
  }

  #reset(link: Link): void {
    if (!this.#links.delete(link)) return;
    this.#stats.reset++;
    link.up?.clear();
    link.down?.clear();
    if (!link.client.destroyed) link.client.resetAndDestroy();
    if (link.target !== undefined && !link.target.destroyed) link.target.resetAndDestroy();
  }
}
