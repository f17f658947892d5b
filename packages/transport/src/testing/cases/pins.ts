// `tls.pins`: the server's key checked against SPKI SHA-256 pins after the
// handshake, before the caller gets the connection.
import { TlsPinMismatchError } from "../../errors.ts";
import { type CaseDefinition, echo, expectUnsupported, target, withServer } from "../context.ts";
import type { PeerSocket } from "../harness.ts";
import { roundTrip } from "./basic.ts";

// A well-formed pin that matches no key.
const OTHER_PIN = "sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

export const pinCases: CaseDefinition[] = [
  {
    name: "tls.pins: a matching pin among others is accepted",
    async run(context) {
      const { ca, server: pem, serverPin } = await context.certificates();
      await withServer(context, { tls: pem }, echo, async (server) => {
        const attempt = context.transport.connect(
          target(server, { tls: { ca, pins: [OTHER_PIN, serverPin] } }),
        );
        if (!context.supports("tls.pins")) {
          await expectUnsupported(context, attempt, "tls.pins");
          return;
        }
        await roundTrip(context, await attempt);
        // Bare base64, without the sha256/ prefix, is accepted too.
        const bare = serverPin.slice("sha256/".length);
        await roundTrip(
          context,
          await context.transport.connect(target(server, { tls: { ca, pins: [bare] } })),
        );
      });
    },
  },
  {
    name: "tls.pins: no matching pin fails with TLS_PIN_MISMATCH naming the actual pin, nothing sent",
    async run(context) {
      if (!context.supports("tls.pins")) return;
      const { ca, server: pem, serverPin } = await context.certificates();
      let received = 0;
      const count = async (peer: PeerSocket) => {
        for (let chunk = await peer.read(); chunk !== null; chunk = await peer.read()) {
          received += chunk.byteLength;
        }
        peer.destroy();
      };
      await withServer(context, { tls: pem }, count, async (server) => {
        const error = await context.check.rejects(
          context.transport.connect(target(server, { tls: { ca, pins: [OTHER_PIN] } })),
          TlsPinMismatchError,
          "pin mismatch",
        );
        context.check.equal(error.code, "TLS_PIN_MISMATCH", "code");
        context.check.equal(error.reason, serverPin, "reason names the server's actual pin");
        context.check.equal(received, 0, "application bytes the server received");
      });
    },
  },
  {
    // The one rule on every runtime: a pinned connection never resumes a TLS
    // session, so each one gets the server's certificate and checks it.
    name: "tls.pins: pinned connections to one origin do full handshakes, each one checked",
    async run(context) {
      if (!context.supports("tls.pins")) return;
      const { ca, server: pem, serverPin } = await context.certificates();
      await withServer(context, { tls: pem }, echo, async (server) => {
        const pinned = target(server, { tls: { ca, servername: "localhost", pins: [serverPin] } });
        for (let round = 1; round <= 3; round++) {
          const conn = await context.transport.connect(pinned);
          context.check.ok(conn.info.tlsSessionReused !== true, `connection ${round}: not resumed`);
          // The round trip also reads the TLS 1.3 tickets the server sends after the handshake.
          await roundTrip(context, conn);
        }
      });
    },
  },
  {
    // Where the server could resume the session the first connection got, a
    // client that trusted the resumption would not see the new key.
    name: "tls.pins: a server whose key changed is refused at the next connection, its session notwithstanding",
    async run(context) {
      if (!context.supports("tls.pins") || !context.supports("tls.rejectUnauthorized=false"))
        return;
      const { server: pem, untrusted, serverPin } = await context.certificates();
      await withServer(context, { tls: pem }, echo, async (server) => {
        // Trust comes from the pin alone; the new certificate is for the same name.
        const tls = { rejectUnauthorized: false, servername: "localhost", pins: [serverPin] };
        // The round trip also reads the TLS 1.3 tickets the server sends after the handshake.
        await roundTrip(context, await context.transport.connect(target(server, { tls })));
        context.check.ok(server.replaceCertificate !== undefined, "the harness swaps certificates");
        server.replaceCertificate!(untrusted);
        const error = await context.check.rejects(
          context.transport.connect(target(server, { tls })),
          TlsPinMismatchError,
          "the new key",
        );
        context.check.ok(error.reason.startsWith("sha256/"), `reason names a pin: ${error.reason}`);
        context.check.ok(error.reason !== serverPin, "reason is the new key's pin");
      });
    },
  },
];
