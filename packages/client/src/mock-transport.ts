/**
 * MockTransport: an in-memory transport for testing code that uses Reqivo,
 * without sockets. Each connection runs the protocol core's server side, so
 * requests are parsed for real and responses travel as real HTTP/1.1 bytes
 * through the same client code paths as on the network.
 */
import { type HeaderList, Headers, NEED_DATA, ServerConnection } from "@reqivo/protocol";
import type { Connection, ConnectionInfo, ConnectOptions, Transport } from "@reqivo/transport";
import { type HeadersInput, headerPairs } from "./header-input.ts";

/** A request as the mock server saw it. */
export interface MockRequest {
  method: string;
  target: string;
  headers: Headers;
  body: Uint8Array;
  /** 1-based number of the connection it came on. */
  connection: number;
  /** Host and port the client connected to. */
  host: string | undefined;
  port: number | undefined;
}

/** What the handler answers: a response to serialize, or raw bytes to send as they are. */
export type MockResponse =
  | {
      status?: number;
      reason?: string;
      headers?: HeadersInput;
      /** The body, sent with Content-Length; an array is sent chunked, piece by piece. */
      body?: string | Uint8Array | (string | Uint8Array)[];
      /** Close the connection after this response. */
      close?: boolean;
    }
  | { raw: string | Uint8Array; close?: boolean };

/** Answers one request. */
export type MockHandler = (request: MockRequest) => MockResponse | Promise<MockResponse>;

const encoder = new TextEncoder();
const bytesOf = (value: string | Uint8Array) =>
  typeof value === "string" ? encoder.encode(value) : value;

/**
 * A Transport whose server is a function.
 *
 * @example
 * ```ts
 * import { MockTransport, Session } from "@reqivo/client";
 * const transport = new MockTransport((req) => ({ status: 200, body: `you asked for ${req.target}` }));
 * const session = new Session({ transport });
 * await (await session.get("http://api.test/items")).text(); // "you asked for /items"
 * transport.requests[0]?.method; // "GET"
 * ```
 */
export class MockTransport implements Transport {
  readonly name = "mock";
  /** Every request received, in order. */
  readonly requests: MockRequest[] = [];
  /** Connections opened so far. */
  connections = 0;
  readonly #handler: MockHandler;

  constructor(handler: MockHandler) {
    this.#handler = handler;
  }

  async connect(options: ConnectOptions): Promise<Connection> {
    if (options.signal?.aborted) throw options.signal.reason;
    this.connections++;
    return new MockConnection(this.#handler, this.requests, this.connections, options);
  }
}

class MockConnection implements Connection {
  readonly info: ConnectionInfo;
  readonly closed: Promise<void>;
  readonly #server = new ServerConnection();
  readonly #handler: MockHandler;
  readonly #log: MockRequest[];
  readonly #number: number;
  readonly #options: ConnectOptions;
  readonly #outbound: (Uint8Array | null)[] = [];
  #wake: (() => void) | undefined;
  #markClosed!: () => void;
  #isClosed = false;
  #failure: unknown;
  #current: { method: string; target: string; headers: HeaderList; body: Uint8Array[] } | undefined;
  #serving: Promise<void> = Promise.resolve();

  constructor(handler: MockHandler, log: MockRequest[], number: number, options: ConnectOptions) {
    this.#handler = handler;
    this.#log = log;
    this.#number = number;
    this.#options = options;
    this.closed = new Promise((resolve) => (this.#markClosed = resolve));
    this.info = {
      kind: options.tls ? "tls" : "tcp",
      alpnProtocol: null,
      tlsVersion: options.tls ? "TLSv1.3" : null,
      remoteAddress: options.host ?? null,
      remotePort: options.port ?? null,
      localAddress: null,
      localPort: null,
      path: options.path ?? null,
    };
  }

  async read(): Promise<Uint8Array | null> {
    for (;;) {
      if (this.#failure !== undefined) throw this.#failure;
      if (this.#outbound.length > 0) return this.#outbound.shift() ?? null;
      if (this.#isClosed) return null;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#isClosed) throw new Error("mock connection closed");
    this.#server.receiveData(bytes.slice());
    this.#serving = this.#serving.then(() => this.#drain());
  }

  async closeWrite(): Promise<void> {
    this.#server.receiveData(null);
  }

  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#wake?.();
    this.#markClosed();
  }

  abort(reason?: unknown): void {
    this.#failure = reason ?? new Error("aborted");
    this.close();
  }

  #push(bytes: Uint8Array | null): void {
    if (bytes !== null && bytes.length === 0) return;
    this.#outbound.push(bytes);
    this.#wake?.();
  }

  async #drain(): Promise<void> {
    for (
      let event = this.#server.nextEvent();
      event !== NEED_DATA;
      event = this.#server.nextEvent()
    ) {
      if (event.type === "request") {
        this.#current = {
          method: event.method,
          target: event.target,
          headers: event.headers,
          body: [],
        };
      } else if (event.type === "data") {
        this.#current?.body.push(event.data.slice());
      } else if (event.type === "end") {
        await this.#answer();
        if (this.#isClosed) return;
      } else if (event.type === "closed") {
        return;
      }
    }
  }

  async #answer(): Promise<void> {
    const current = this.#current!;
    const size = current.body.reduce((n, b) => n + b.length, 0);
    const body = new Uint8Array(size);
    let at = 0;
    for (const piece of current.body) {
      body.set(piece, at);
      at += piece.length;
    }
    const request: MockRequest = {
      method: current.method,
      target: current.target,
      headers: new Headers(current.headers),
      body,
      connection: this.#number,
      host: this.#options.host,
      port: this.#options.port,
    };
    this.#log.push(request);
    const answer = await this.#handler(request);
    if ("raw" in answer) {
      this.#push(bytesOf(answer.raw));
      if (answer.close) this.#endStream();
      return;
    }
    const server = this.#server;
    const headers = headerPairs(answer.headers);
    if (answer.close) headers.push(["connection", "close"]);
    const pieces =
      answer.body === undefined ? [] : Array.isArray(answer.body) ? answer.body : [answer.body];
    const chunked = Array.isArray(answer.body);
    const length = chunked ? null : pieces.reduce((n, p) => n + bytesOf(p).length, 0);
    this.#push(
      server.send({
        type: "response",
        status: answer.status ?? 200,
        reason: answer.reason ?? "",
        headers,
        contentLength: length,
      }),
    );
    for (const piece of pieces) {
      const framed = server.send({ type: "data", data: bytesOf(piece) });
      if (framed.length > 0) this.#push(framed);
    }
    this.#push(server.send({ type: "end" }));
    if (answer.close || !server.reusable) {
      this.#endStream();
      return;
    }
    server.startNextCycle();
  }

  #endStream(): void {
    this.#push(null);
  }
}
