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
];
