// Every client under test, each set up for the same work: the scenario's
// request over at most `connections` keep-alive connections, the whole
// response body read into memory, status and body length checked.
import { type ChildProcessByStdio, spawn } from "node:child_process";
import * as http from "node:http";
import * as net from "node:net";
import { join } from "node:path";
import { type Readable, Writable } from "node:stream";
import { pathToFileURL } from "node:url";
import { Session } from "@reqivo/client";
import { createTransport } from "@reqivo/transport-node";
import axios from "axios";
import got from "got";
import { Agent, type Dispatcher, Pool, fetch as undiciFetch } from "undici";
import { NATIVE_RAW } from "./multi-run.ts";
import { nativeTool } from "./native.ts";
import { CONNECTIONS, checkResponse, type Scenario, scenarioHeaders } from "./scenarios.ts";

/** How many requests one sample completed and how long it took. */
export interface Sample {
  requests: number;
  elapsedMs: number;
  /** CPU of a helper process that did the contender's work (the native raw ceiling). */
  helperCpuMicros?: number;
}

export interface Contender {
  name: string;
  /** Left out of a run unless --only names it (a variant kept for comparisons). */
  optional?: boolean;
  /** Runs the scenario for about `durationMs` (bounded by `maxRequests` too). */
  sample(scenario: Scenario, durationMs: number, maxRequests: number): Promise<Sample>;
  close(): Promise<void>;
}

/** Keeps `scenario.inFlight` requests going until the time or the count runs out. */
export async function drive(
  scenario: Pick<Scenario, "inFlight">,
  durationMs: number,
  maxRequests: number,
  one: () => Promise<void>,
): Promise<Sample> {
  const start = performance.now();
  const deadline = start + durationMs;
  let started = 0;
  let completed = 0;
  const worker = async () => {
    while (started < maxRequests && performance.now() < deadline) {
      started++;
      await one();
      completed++;
    }
  };
  await Promise.all(Array.from({ length: scenario.inFlight }, worker));
  return { requests: completed, elapsedMs: performance.now() - start };
}

type OneFactory = (scenario: Scenario) => () => Promise<void>;

function requestContender(
  name: string,
  factory: OneFactory,
  close: () => Promise<void> | void,
  optional = false,
): Contender {
  const cache = new Map<string, () => Promise<void>>();
  return {
    name,
    optional,
    sample(scenario, durationMs, maxRequests) {
      let one = cache.get(scenario.id);
      if (one === undefined) {
        one = factory(scenario);
        cache.set(scenario.id, one);
      }
      return drive(scenario, durationMs, maxRequests, one);
    },
    async close() {
      await close();
    },
  };
}

/** The scenario's request as undici's request, dispatch and stream APIs take it. */
function undiciOptions(s: Scenario): Dispatcher.DispatchOptions {
  return {
    path: s.path,
    method: s.method,
    headers: scenarioHeaders(s),
    body: s.upload === null ? null : s.upload,
  };
}

/** A Reqivo contender: `session.request` and the whole body read, over the scenario's request. */
function reqivoContender(origin: string, name: string, session: Session): Contender {
  return requestContender(
    name,
    (s) => {
      const url = origin + s.path;
      const headers = scenarioHeaders(s);
      const options =
        s.upload === null
          ? { method: s.method, headers }
          : { method: s.method, headers, body: s.upload };
      return async () => {
        const res = await session.request(url, options);
        const body = await res.bytes();
        checkResponse(name, s, res.status, body.length);
      };
    },
    () => session.close(),
  );
}

/**
 * The contender named `name` against the canned server on `port`, for a child
 * process that runs one (the others are made and closed again); `child` names
 * the caller in the message it exits with when there is no such contender.
 */
export async function oneContender(port: number, name: string, child: string): Promise<Contender> {
  const origin = `http://127.0.0.1:${port}`;
  const all = [
    ...createContenders(origin, CONNECTIONS),
    ...(await baselineContenders(origin, CONNECTIONS)),
    rawCeiling(port),
    ...nativeCeilings(port),
  ];
  const chosen = all.find((c) => c.name === name);
  for (const c of all) if (c !== chosen) await c.close();
  if (chosen === undefined) {
    console.error(`${child}: no contender named ${name}`);
    process.exit(2);
  }
  return chosen;
}

/**
 * With `REQIVO_BASELINE=<path of another checkout, packages built>`, that
 * checkout's client on its own Node transport as "reqivo (baseline)": a
 * before/after of a change in one run, interleaved like any contender.
 */
export async function baselineContenders(
  origin: string,
  connections: number,
): Promise<Contender[]> {
  const root = process.env.REQIVO_BASELINE;
  if (root === undefined || root === "") return [];
  const load = (pkg: string) =>
    import(pathToFileURL(join(root, "packages", pkg, "dist/index.js")).href);
  const [{ Session: BaselineSession }, { createTransport: baselineTransport }] = await Promise.all([
    load("client"),
    load("transport-node"),
  ]);
  const session: Session = new BaselineSession({
    transport: baselineTransport(),
    pool: { connections, idleTimeout: 120_000 },
  });
  return [reqivoContender(origin, "reqivo (baseline)", session)];
}

// The bench uses one connection count for every scenario.
export function createContenders(origin: string, connections: number): Contender[] {
  const reqivo = new Session({
    transport: createTransport(),
    pool: { connections, idleTimeout: 120_000 },
  });
  // The same client with the default cookie jar off: shows what the jar costs per request.
  const reqivoNoJar = new Session({
    transport: createTransport(),
    pool: { connections, idleTimeout: 120_000 },
    cookies: false,
  });
  const undiciPool = new Pool(origin, {
    connections,
    keepAliveTimeout: 120_000,
    keepAliveMaxTimeout: 120_000,
  });
  // undici's lowest-level API on a pool of its own (no shared queue with `request`).
  const undiciDispatchPool = new Pool(origin, {
    connections,
    keepAliveTimeout: 120_000,
    keepAliveMaxTimeout: 120_000,
  });
  const undiciStreamPool = new Pool(origin, {
    connections,
    keepAliveTimeout: 120_000,
    keepAliveMaxTimeout: 120_000,
  });
  const undiciAgent = new Agent({
    connections,
    keepAliveTimeout: 120_000,
    keepAliveMaxTimeout: 120_000,
  });
  const httpAgent = () => new http.Agent({ keepAlive: true, maxSockets: connections });
  const nodeHttpAgent = httpAgent();
  const axiosClient = axios.create({
    httpAgent: httpAgent(),
    responseType: "arraybuffer",
    validateStatus: () => true,
    maxBodyLength: Number.POSITIVE_INFINITY,
    maxContentLength: Number.POSITIVE_INFINITY,
  });
  const gotAgent = httpAgent();
  const gotClient = got.extend({
    agent: { http: gotAgent },
    retry: { limit: 0 },
    throwHttpErrors: false,
  });

  return [
    reqivoContender(origin, "reqivo", reqivo),
    reqivoContender(origin, "reqivo (cookies off)", reqivoNoJar),
    requestContender(
      "undici request",
      (s) => {
        const options = undiciOptions(s);
        return async () => {
          const res = await undiciPool.request(options);
          const body = await res.body.arrayBuffer();
          checkResponse("undici request", s, res.statusCode, body.byteLength);
        };
      },
      () => undiciPool.close(),
    ),
    requestContender(
      "undici dispatch",
      (s) => {
        const options = undiciOptions(s);
        return () =>
          new Promise<void>((resolve, reject) => {
            undiciDispatchPool.dispatch(options, new BodyKeeper(s, resolve, reject));
          });
      },
      () => undiciDispatchPool.close(),
    ),
    requestContender(
      "undici stream",
      (s) => {
        const options = undiciOptions(s);
        return async () => {
          const opaque = { length: 0, status: 0 };
          await undiciStreamPool.stream({ ...options, opaque }, ({ statusCode, opaque: o }) => {
            o.status = statusCode;
            return new Writable({
              write(chunk: Buffer, _encoding, callback) {
                o.length += chunk.length;
                callback();
              },
            });
          });
          checkResponse("undici stream", s, opaque.status, opaque.length);
        };
      },
      () => undiciStreamPool.close(),
      true,
    ),
    requestContender(
      "undici fetch",
      (s) => {
        const url = origin + s.path;
        const headers = scenarioHeaders(s);
        return async () => {
          const res = await undiciFetch(url, {
            method: s.method,
            headers,
            body: s.upload,
            dispatcher: undiciAgent,
          });
          const body = await res.arrayBuffer();
          checkResponse("undici fetch", s, res.status, body.byteLength);
        };
      },
      () => undiciAgent.close(),
    ),
    requestContender(
      "node fetch",
      (s) => {
        const url = origin + s.path;
        const headers = scenarioHeaders(s);
        return async () => {
          const res = await globalThis.fetch(url, { method: s.method, headers, body: s.upload });
          const body = await res.arrayBuffer();
          checkResponse("node fetch", s, res.status, body.byteLength);
        };
      },
      () => undefined,
    ),
    requestContender(
      "node:http",
      (s) => {
        const { hostname, port } = new URL(origin);
        const headers: Record<string, string> = { ...scenarioHeaders(s) };
        if (s.upload !== null) headers["content-length"] = String(s.upload.length);
        const options = { host: hostname, port, method: s.method, path: s.path, headers };
        options.headers = headers;
        return () =>
          new Promise<void>((resolve, reject) => {
            const req = http.request({ ...options, agent: nodeHttpAgent }, (res) => {
              const chunks: Buffer[] = [];
              res.on("data", (chunk: Buffer) => chunks.push(chunk));
              res.on("end", () => {
                try {
                  checkResponse("node:http", s, res.statusCode ?? 0, Buffer.concat(chunks).length);
                  resolve();
                } catch (error) {
                  reject(error);
                }
              });
              res.on("error", reject);
            });
            req.on("error", reject);
            if (s.upload === null) req.end();
            else req.end(s.upload);
          });
      },
      () => nodeHttpAgent.destroy(),
    ),
    requestContender(
      "axios",
      (s) => {
        const url = origin + s.path;
        const headers = scenarioHeaders(s);
        return async () => {
          const res = await axiosClient.request<ArrayBuffer>({
            url,
            method: s.method,
            headers,
            data: s.upload === null ? undefined : Buffer.from(s.upload.buffer),
          });
          checkResponse("axios", s, res.status, res.data.byteLength);
        };
      },
      () => undefined,
    ),
    requestContender(
      "got",
      (s) => {
        const url = origin + s.path;
        const headers = scenarioHeaders(s);
        const body = s.upload === null ? undefined : Buffer.from(s.upload.buffer);
        return async () => {
          const res = await gotClient(url, { method: s.method, headers, body });
          checkResponse("got", s, res.statusCode, res.rawBody.length);
        };
      },
      () => gotAgent.destroy(),
    ),
  ];
}

/**
 * The handler of the `undici dispatch` contender: undici's own callbacks
 * (the ones its core calls without a wrapper), nothing else. It keeps each
 * body chunk (no copy, no concatenation: the least any client can do to hand
 * the body over) and checks status and length at the end.
 */
class BodyKeeper implements Dispatcher.DispatchHandler {
  #status = 0;
  #length = 0;
  #chunks: Buffer[] = [];
  constructor(
    readonly scenario: Scenario,
    readonly resolve: () => void,
    readonly reject: (error: Error) => void,
  ) {}
  onConnect(): void {}
  onHeaders(statusCode: number): boolean {
    this.#status = statusCode;
    return true;
  }
  onData(chunk: Buffer): boolean {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    return true;
  }
  onComplete(): void {
    try {
      checkResponse("undici dispatch", this.scenario, this.#status, this.#length);
      this.resolve();
    } catch (error) {
      this.reject(error as Error);
    }
  }
  onError(error: Error): void {
    this.reject(error);
  }
}

/**
 * The raw ceiling: `connections` plain node:net sockets, each writing a
 * pre-built request and counting response bytes until the (known) response
 * size arrived, then the next. No parsing, no allocation per request: each
 * socket reads into one buffer of its own, reused for every read (node:net's
 * `onread`), so no Buffer is made and no 'data' event emitted per read.
 */
export function rawCeiling(port: number): Contender {
  /** A kept-alive socket and what to do with the byte count of each read. */
  interface RawSocket {
    socket: net.Socket;
    onBytes: (n: number) => void;
  }
  const sockets = new Map<string, RawSocket[]>();
  const responseSize = new Map<string, number>();

  const requestBytes = (s: Scenario): Buffer => {
    const head =
      `${s.method} ${s.path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n` +
      Object.entries(scenarioHeaders(s))
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join("") +
      (s.upload === null ? "" : `content-length: ${s.upload.length}\r\n`) +
      "\r\n";
    return s.upload === null
      ? Buffer.from(head, "latin1")
      : Buffer.concat([Buffer.from(head, "latin1"), s.upload]);
  };

  const connected = async (socket: net.Socket): Promise<net.Socket> => {
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return socket;
  };

  const connect = async (): Promise<RawSocket> => {
    const raw: RawSocket = { socket: null as unknown as net.Socket, onBytes: () => undefined };
    raw.socket = net.connect({
      host: "127.0.0.1",
      port,
      noDelay: true,
      onread: {
        buffer: Buffer.allocUnsafe(256 * 1024),
        callback: (n) => {
          raw.onBytes(n);
          return true;
        },
      },
    });
    await connected(raw.socket);
    return raw;
  };

  // Learns the size of the (deterministic) response once, the only parsing done.
  const probe = async (s: Scenario, request: Buffer): Promise<number> => {
    const socket = await connected(net.connect({ host: "127.0.0.1", port, noDelay: true }));
    const chunks: Buffer[] = [];
    const size = await new Promise<number>((resolve, reject) => {
      socket.on("error", reject);
      socket.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        const all = Buffer.concat(chunks);
        const headEnd = all.indexOf("\r\n\r\n");
        if (headEnd === -1) return;
        const match = /content-length: *(\d+)/i.exec(all.subarray(0, headEnd).toString("latin1"));
        if (match === null) return reject(new Error("raw probe: no content-length"));
        const total = headEnd + 4 + Number(match[1]);
        if (all.length >= total) resolve(total);
      });
      socket.write(request);
    });
    socket.destroy();
    if (!/^HTTP\/1\.1 200 /.test(Buffer.concat(chunks).toString("latin1", 0, 13)))
      throw new Error(`raw probe: ${s.id} did not answer 200`);
    return size;
  };

  return {
    name: "raw ceiling",
    async sample(s, durationMs, maxRequests) {
      const request = requestBytes(s);
      let size = responseSize.get(s.id);
      if (size === undefined) {
        size = await probe(s, request);
        responseSize.set(s.id, size);
      }
      let pool = sockets.get(s.id);
      if (pool === undefined) {
        pool = await Promise.all(Array.from({ length: s.connections }, connect));
        sockets.set(s.id, pool);
      }
      const expected = size;
      const start = performance.now();
      const deadline = start + durationMs;
      let started = 0;
      let completed = 0;
      await Promise.all(
        pool.map(
          (raw) =>
            new Promise<void>((resolve, reject) => {
              let pending = 0;
              const done = (error?: Error) => {
                raw.onBytes = () => undefined;
                raw.socket.off("error", done);
                if (error === undefined) resolve();
                else reject(error);
              };
              const next = () => {
                if (started >= maxRequests || performance.now() >= deadline) return done();
                started++;
                pending = expected;
                raw.socket.write(request);
              };
              raw.onBytes = (n) => {
                pending -= n;
                if (pending < 0) done(new Error("raw ceiling: more bytes than one response"));
                else if (pending === 0) {
                  completed++;
                  next();
                }
              };
              raw.socket.on("error", done);
              next();
            }),
        ),
      );
      return { requests: completed, elapsedMs: performance.now() - start };
    },
    async close() {
      for (const pool of sockets.values()) for (const raw of pool) raw.socket.destroy();
    },
  };
}

/** The native raw ceiling when it can be built, else nothing. */
export function nativeCeilings(port: number): Contender[] {
  const native = nativeRawCeiling(port, CONNECTIONS);
  return native === null ? [] : [native];
}

/**
 * The raw ceiling in C (native/raw-ceiling.c): the same work as rawCeiling()
 * above (pre-built request, `connections` keep-alive sockets, response bytes
 * counted up to the size a probe learnt), on one epoll loop instead of Node's
 * event loop. Its process starts at the first sample (the contender is also
 * made just to learn the names, with no server) and reports its own CPU,
 * which the sample carries as `helperCpuMicros`. Null without a C compiler.
 */
export function nativeRawCeiling(port: number, connections: number): Contender | null {
  const binary = nativeTool("raw-ceiling");
  if (binary === null) return null;
  let child: ChildProcessByStdio<Writable, Readable, null> | null = null;
  let partial = "";
  const waiting: ((line: string) => void)[] = [];
  const start = () => {
    const started = spawn(binary, [String(port), String(connections)], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    started.stdout.on("data", (chunk: Buffer) => {
      partial += chunk.toString();
      for (let nl = partial.indexOf("\n"); nl !== -1; nl = partial.indexOf("\n")) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        waiting.shift()?.(line);
      }
    });
    started.on("exit", (code) => {
      for (const w of waiting.splice(0)) w(`error raw-ceiling exited with ${code}`);
    });
    return started;
  };
  return {
    name: NATIVE_RAW,
    async sample(s, durationMs, maxRequests) {
      child ??= start();
      const upload = s.upload?.length ?? 0;
      const reply = new Promise<string>((resolve) => waiting.push(resolve));
      child.stdin.write(
        `${s.method} ${s.path} ${upload} ${durationMs} ${maxRequests} ${s.inFlight}\n`,
      );
      const line = await reply;
      const [requests, elapsedUs, cpuUs] = line.split(" ").map(Number);
      if (line.startsWith("error") || requests === undefined || elapsedUs === undefined)
        throw new Error(`${NATIVE_RAW}/${s.id}: ${line}`);
      return { requests, elapsedMs: elapsedUs / 1000, helperCpuMicros: cpuUs };
    },
    async close() {
      child?.stdin.end();
    },
  };
}
