// TLS session resumption: a second connection to the same origin skips the
// full handshake, and `info.tlsSessionReused` tells.
import { type CaseDefinition, echo, target, withServer } from "../context.ts";
import { roundTrip } from "./basic.ts";

export const resumptionCases: CaseDefinition[] = [
  {
    name: "tls: a second connection to the same origin resumes the session",
    async run(context) {
      const { ca, server: pem } = await context.certificates();
      await withServer(context, { tls: pem }, echo, async (server) => {
        const options = target(server, { tls: { ca, servername: "localhost" } });
        const first = await context.transport.connect(options);
        if (!context.supports("tls.sessionResumption")) {
          const reported = first.info.tlsSessionReused ?? null;
          context.check.ok(reported !== true, "a first connection cannot have resumed");
          await roundTrip(context, first);
          return;
        }
        context.check.equal(first.info.tlsSessionReused, false, "first: full handshake");
        // The round trip also reads the TLS 1.3 tickets the server sends after the handshake.
        await roundTrip(context, first);
        const second = await context.transport.connect(options);
        context.check.equal(second.info.tlsSessionReused, true, "second: resumed");
        await roundTrip(context, second);
        const other = await context.transport.connect(
          target(server, { tls: { ca, servername: "localhost", alpnProtocols: ["http/1.1"] } }),
        );
        context.check.equal(other.info.tlsSessionReused, false, "other options: not resumed");
        await roundTrip(context, other);
      });
    },
  },
  {
    name: "tls: a session resumed for one ALPN offer is not offered for another",
    async run(context) {
      if (!context.supports("tls.sessionResumption")) return;
      const { ca, server: pem } = await context.certificates();
      const tls = { ...pem, alpnProtocols: ["h2", "http/1.1"] };
      await withServer(context, { tls }, echo, async (server) => {
        const http1 = target(server, { tls: { ca, alpnProtocols: ["http/1.1"] } });
        await roundTrip(context, await context.transport.connect(http1));
        const again = await context.transport.connect(http1);
        context.check.equal(again.info.tlsSessionReused, true, "same offer: resumed");
        context.check.equal(again.info.alpnProtocol, "http/1.1", "same offer: same protocol");
        await roundTrip(context, again);
        const both = target(server, { tls: { ca, alpnProtocols: ["h2", "http/1.1"] } });
        const h2 = await context.transport.connect(both);
        context.check.equal(h2.info.tlsSessionReused, false, "other offer: full handshake");
        context.check.equal(h2.info.alpnProtocol, "h2", "other offer: its own protocol");
        await roundTrip(context, h2);
      });
    },
  },
];
