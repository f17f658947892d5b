// Response.readInto cases shared by the Deno and Bun runs: each runtime
// serves HTTP on 127.0.0.1 (Deno.serve / Bun.serve) and brings its own
// transport. Node runs the same cases in test/read-into.test.ts.
import assert from "node:assert/strict";
import type { Connection, Transport } from "@reqivo/transport";
import { type ReqivoError, Session } from "../../src/index.ts";

import type { ServeTcp } from "./dns.cases.ts";

const BODY_BYTES = 300 * 1024;

/** Byte `i` of every test body. */
const patternAt = (i: number) => (i * 7 + (i >> 10)) & 0xff;

function patternBody(size: number): Uint8Array<ArrayBuffer> {
  const body = new Uint8Array(size);
  for (let i = 0; i < size; i++) body[i] = patternAt(i);
  return body;
}

/** The transport, with a count of the readInto calls its connections served. */
function countingReadInto(inner: Transport): { transport: Transport; calls(): number } {
  let calls = 0;
  const transport: Transport = {
    name: inner.name,
    ...(inner.lookup !== undefined && { lookup: inner.lookup.bind(inner) }),
    async connect(options) {
      const conn: Connection = await inner.connect(options);
      const readInto = conn.readInto?.bind(conn);
      if (readInto !== undefined) {
        conn.readInto = (target) => {
          calls++;
          return readInto(target);
        };
      }
      return conn;
    },
  };
  return { transport, calls: () => calls };
}

/** Reads the whole body with one reused buffer of `size` bytes; checks the pattern. */
async function readAllInto(res: { readInto(t: Uint8Array): Promise<number | null> }, size: number) {
  const buffer = new Uint8Array(size);
  let total = 0;
  for (let i = 0; i < 100_000; i++) {
    const n = await res.readInto(buffer);
    if (n === null) return total;
    assert.ok(n > 0 && n <= size, `a read of ${n} bytes into ${size}`);
    for (let k = 0; k < n; k++) {
      if (buffer[k] !== patternAt(total + k)) assert.fail(`byte ${total + k} differs`);
    }
    total += n;
  }
  throw new Error("more than 100,000 reads");
}

export function bodyCases(
  serve: ServeTcp,
  createTransport: () => Transport,
): Record<string, () => Promise<void>> {
  const fixed = patternBody(BODY_BYTES);
  const handler = (request: Request) => {
    const path = new URL(request.url).pathname;
    if (path === "/chunked") {
      // A stream body: the server sends it chunked.
      const pieces = [
        fixed.subarray(0, 1000),
        fixed.subarray(1000, 50_000),
        fixed.subarray(50_000),
      ];
      return new Response(
        new ReadableStream({
          pull(controller) {
            const next = pieces.shift();
            if (next === undefined) controller.close();
            else controller.enqueue(next);
          },
        }),
      );
    }
    return new Response(fixed, { headers: { "content-length": String(BODY_BYTES) } });
  };

  async function withSession(
    run: (
      session: Session,
      origin: string,
      readIntoCalls: () => number,
      native: boolean,
    ) => Promise<void>,
  ) {
    const server = await serve(handler);
    const inner = createTransport();
    const { transport, calls } = countingReadInto(inner);
    const session = new Session({ transport, pool: { connections: 1 } });
    // Whether this runtime's transport reads into the caller's buffer.
    const probe = await inner.connect({ host: "127.0.0.1", port: server.port });
    const native = probe.readInto !== undefined;
    probe.close();
    try {
      await run(session, `http://127.0.0.1:${server.port}`, calls, native);
    } finally {
      await session.close();
      await server.close();
    }
  }

  return {
    async "readInto: a Content-Length body through one reused buffer, then the connection is reused"() {
      await withSession(async (session, origin, calls, native) => {
        const res = await session.get(`${origin}/fixed`);
        assert.equal(await readAllInto(res, 16 * 1024), BODY_BYTES);
        assert.equal(await res.readInto(new Uint8Array(8)), null, "null again after the end");
        // Deno's transport reads into the buffer itself; the others are copied from their chunks.
        if (native) assert.ok(calls() > 0, "the transport's readInto was used");
        else assert.equal(calls(), 0);
        const again = await session.get(`${origin}/fixed`);
        assert.equal(again.timings.reused, true, "the connection went back to the pool");
        assert.equal((await again.bytes()).length, BODY_BYTES);
      });
    },

    async "readInto: a chunked body, a buffer smaller than its pieces"() {
      await withSession(async (session, origin) => {
        const res = await session.get(`${origin}/chunked`);
        assert.equal(await readAllInto(res, 777), BODY_BYTES);
      });
    },

    async "readInto: an empty buffer is INVALID_REQUEST, and the body is used once"() {
      await withSession(async (session, origin) => {
        const res = await session.get(`${origin}/fixed`);
        await assert.rejects(
          res.readInto(new Uint8Array(0)),
          (e: ReqivoError) => e.code === "INVALID_REQUEST",
        );
        assert.equal((await res.bytes()).length, BODY_BYTES);
        await assert.rejects(
          res.readInto(new Uint8Array(8)),
          (e: ReqivoError) => e.code === "BODY_USED",
        );
      });
    },
  };
}
