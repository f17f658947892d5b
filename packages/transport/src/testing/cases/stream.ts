// Byte-stream behaviour: half-close both ways, bulk transfer with verified
// content, and backpressure in both directions with bounded buffering.
import type { Connection } from "../../contract.ts";
import { type CaseContext, type CaseDefinition, echo, target, withServer } from "../context.ts";
import type { PeerSocket } from "../harness.ts";
import {
  fillPattern,
  patternMismatch,
  readToEnd,
  settlesWithin,
  sleep,
  text,
  utf8,
} from "../support.ts";

const MiB = 1 << 20;
/** Bytes a transport, the runtime and both kernels may buffer between two stalls. */
const BUFFER_BOUND = 48 * MiB;

/** The peer of the partial-read cases: "abc", then after the client's next write "defgh" and the end. */
async function twoAnswers(peer: PeerSocket): Promise<void> {
  await peer.write(utf8("abc"));
  await peer.read(); // the client's "next"
  await peer.write(utf8("defgh"));
  await peer.end();
}

export const streamCases: CaseDefinition[] = [
  {
    name: "readInto: bytes land in the caller's buffer, in call order with read(), null at the end",
    async run(context) {
      await withServer(context, {}, twoAnswers, async (server) => {
        const conn = await context.transport.connect(target(server));
        try {
          if (!context.supports("readInto")) {
            context.check.equal(conn.readInto, undefined, "readInto left out where unsupported");
            return;
          }
          const readInto = conn.readInto!.bind(conn);
          await context.check.rejects(readInto(new Uint8Array(0)), TypeError, "empty buffer");
          const small = new Uint8Array(2);
          context.check.equal(await readInto(small), 2, "filled the 2-byte buffer");
          context.check.equal(text(small), "ab", "bytes in the caller's buffer");
          context.check.equal(
            text((await conn.read())!),
            "c",
            "read() goes on where readInto stopped",
          );
          await conn.write(utf8("next"));
          const big = new Uint8Array(64);
          let got = 0;
          for (let i = 0; got < 5 && i < 10; i++) {
            const n = await readInto(big.subarray(got));
            if (n === null) break;
            got += n;
          }
          context.check.equal(text(big.subarray(0, got)), "defgh", "second answer");
          context.check.equal(await readInto(big), null, "null once the peer ended");
        } finally {
          conn.close();
        }
      });
    },
  },
  {
    name: "readNow: a buffered chunk at once, a later one to its callback, in call order with read(), null at the end",
    async run(context) {
      await withServer(context, {}, twoAnswers, async (server) => {
        const conn = await context.transport.connect(target(server));
        try {
          if (!context.supports("readNow")) {
            context.check.equal(conn.readNow, undefined, "readNow left out where unsupported");
            return;
          }
          const readNow = conn.readNow!.bind(conn);
          const failures: unknown[] = [];
          const onError = (error: unknown) => failures.push(error);
          // The next piece, whichever way it comes (buffered, or later to the callback).
          const next = () =>
            new Promise<Uint8Array | null>((resolve) => {
              const now = readNow(resolve, onError);
              if (now !== undefined) resolve(now);
            });
          let first = "";
          for (let i = 0; first.length < 3 && i < 10; i++) {
            const piece = await next();
            if (piece === null) break;
            first += text(piece);
          }
          context.check.equal(first, "abc", "first answer");
          // Nothing buffered now: readNow waits, and a read() after it is served after it.
          const order: string[] = [];
          let viaCallback: Uint8Array | null | undefined;
          const pending = readNow((chunk) => {
            viaCallback = chunk;
            order.push("readNow");
          }, onError);
          context.check.equal(pending, undefined, "nothing buffered: undefined");
          const viaRead = conn.read().then((chunk) => {
            order.push("read");
            return chunk;
          });
          await conn.write(utf8("next"));
          const afterwards = await viaRead;
          context.check.equal(order.join(","), "readNow,read", "served in call order");
          let second = viaCallback === null || viaCallback === undefined ? "" : text(viaCallback);
          let last = afterwards;
          for (let i = 0; last !== null && i < 10; i++) {
            second += text(last);
            last = await conn.read();
          }
          context.check.equal(second, "defgh", "second answer");
          context.check.equal(
            readNow(() => undefined, onError),
            null,
            "null once the peer ended",
          );
          context.check.equal(failures.length, 0, "no error reported");
        } finally {
          conn.close();
        }
      });
    },
  },
  {
    name: "readNow: a waiting read hears of an abort through its error callback",
    async run(context) {
      await withServer(context, {}, echo, async (server) => {
        const conn = await context.transport.connect(target(server));
        if (conn.readNow === undefined) {
          context.check.equal(
            context.supports("readNow"),
            false,
            "readNow present where supported",
          );
          conn.close();
          return;
        }
        let chunks = 0;
        const failed = new Promise<unknown>((resolve) => {
          const now = conn.readNow!(() => chunks++, resolve);
          context.check.equal(now, undefined, "nothing buffered: undefined");
        });
        conn.abort(new Error("stop"));
        const error = await failed;
        context.check.equal(
          (error as { code?: unknown } | null)?.code,
          "ABORTED",
          "the abort's error reaches onError",
        );
        context.check.equal(chunks, 0, "no chunk reported");
        let thrown: unknown;
        try {
          conn.readNow(
            () => undefined,
            () => undefined,
          );
        } catch (caught) {
          thrown = caught;
        }
        context.check.equal(thrown, error, "a later readNow throws the same error");
      });
    },
  },
  {
    name: "half-close: the client ends its side and still reads the answer",
    async run(context) {
      const answerAfterEnd = async (peer: PeerSocket) => {
        const request = await readToEnd(peer);
        await peer.write(utf8(`got ${request.length} bytes`));
        await peer.end();
      };
      await withServer(context, {}, answerAfterEnd, async (server) => {
        const conn = await context.transport.connect(target(server));
        await conn.write(utf8("twelve bytes"));
        await conn.closeWrite();
        context.check.equal(text(await readToEnd(conn)), "got 12 bytes", "answer after EOF");
        conn.close();
        await conn.closed;
      });
    },
  },
  {
    name: "half-close: the server ends first and the client can still write",
    async run(context) {
      let serverGot: (text: string) => void = () => {};
      const received = new Promise<string>((resolve) => {
        serverGot = resolve;
      });
      const endFirst = async (peer: PeerSocket) => {
        await peer.write(utf8("bye"));
        await peer.end();
        serverGot(text(await readToEnd(peer)));
      };
      await withServer(context, {}, endFirst, async (server) => {
        const conn = await context.transport.connect(target(server));
        context.check.equal(text(await readToEnd(conn)), "bye", "server's data, then EOF");
        await conn.write(utf8("still here"));
        await conn.closeWrite();
        await conn.closed;
        const arrived = await settlesWithin(received, 3_000);
        context.check.ok(arrived, "server saw the end of the client's stream");
        context.check.equal(await received, "still here", "server got the write after its EOF");
      });
    },
  },
  {
    name: "bulk: 64 MiB echoed in both directions at once, content verified",
    timeoutMs: 120_000,
    async run(context) {
      await withServer(context, {}, echo, async (server) => {
        const conn = await context.transport.connect(target(server));
        await transferAndVerify(context, conn, context.bulkBytes);
      });
    },
  },
  {
    name: "bulk: 8 MiB echoed over TLS, content verified",
    timeoutMs: 60_000,
    async run(context) {
      const { ca, server: pem } = await context.certificates();
      await withServer(context, { tls: pem }, echo, async (server) => {
        const conn = await context.transport.connect(target(server, { tls: { ca } }));
        await transferAndVerify(context, conn, 8 * MiB);
      });
    },
  },
  {
    name: "backpressure: writes wait while the peer does not read, buffering stays bounded",
    timeoutMs: 60_000,
    async run(context) {
      let startReading: () => void = () => {};
      const readLater = new Promise<void>((resolve) => {
        startReading = resolve;
      });
      let serverReceived = 0;
      const lazyReader = async (peer: PeerSocket) => {
        await readLater;
        for (let chunk = await peer.read(); chunk !== null; chunk = await peer.read()) {
          serverReceived += chunk.byteLength;
        }
        await peer.end();
      };
      await withServer(context, {}, lazyReader, async (server) => {
        const conn = await context.transport.connect(target(server));
        const chunk = new Uint8Array(256 * 1024);
        let accepted = 0;
        let stalled: Promise<void> | null = null;
        while (stalled === null && accepted <= BUFFER_BOUND) {
          const write = conn.write(chunk);
          if (await settlesWithin(write, 200)) {
            await write;
            accepted += chunk.byteLength;
          } else {
            stalled = write;
          }
        }
        context.check.ok(stalled !== null, `no backpressure after ${accepted / MiB} MiB`);
        startReading();
        await stalled;
        await conn.closeWrite();
        context.check.equal(await conn.read(), null, "server ends after reading everything");
        conn.close();
        context.check.equal(serverReceived, accepted + chunk.byteLength, "everything arrived");
      });
    },
  },
  {
    name: "backpressure: the transport stops reading while the caller does not read",
    timeoutMs: 60_000,
    async run(context) {
      let serverAccepted = 0;
      let stalledAt = -1;
      const flood = async (peer: PeerSocket) => {
        const chunk = new Uint8Array(256 * 1024);
        while (serverAccepted <= BUFFER_BOUND) {
          const write = peer.write(chunk);
          if (stalledAt < 0 && !(await settlesWithin(write, 200))) stalledAt = serverAccepted;
          await write;
          serverAccepted += chunk.byteLength;
          if (stalledAt >= 0) break;
        }
        await peer.end();
      };
      await withServer(context, {}, flood, async (server) => {
        const conn = await context.transport.connect(target(server));
        // Do not read for a while: the server's writes must stall.
        const deadline = Date.now() + 10_000;
        while (stalledAt < 0 && serverAccepted <= BUFFER_BOUND && Date.now() < deadline) {
          await sleep(50);
        }
        context.check.ok(stalledAt >= 0, `server wrote ${serverAccepted / MiB} MiB unhindered`);
        let received = 0;
        for (let chunk = await conn.read(); chunk !== null; chunk = await conn.read()) {
          received += chunk.byteLength;
        }
        context.check.equal(received, serverAccepted, "every byte arrives once reading resumes");
        conn.close();
      });
    },
  },
];

/** Writes `total` pattern bytes while reading the echo concurrently; checks every byte. */
async function transferAndVerify(
  context: CaseContext,
  conn: Connection,
  total: number,
): Promise<void> {
  const blockSize = 64 * 1024;
  const writer = (async () => {
    const block = new Uint8Array(blockSize);
    for (let offset = 0; offset < total; offset += blockSize) {
      fillPattern(block, offset);
      await conn.write(block.subarray(0, Math.min(blockSize, total - offset)));
    }
    await conn.closeWrite();
  })();
  let received = 0;
  let firstMismatch = -1;
  for (let chunk = await conn.read(); chunk !== null; chunk = await conn.read()) {
    if (firstMismatch < 0) {
      const at = patternMismatch(chunk, received);
      if (at >= 0) firstMismatch = received + at;
    }
    received += chunk.byteLength;
  }
  await writer;
  conn.close();
  context.check.equal(received, total, "bytes echoed");
  context.check.equal(firstMismatch, -1, "first corrupted offset");
}
