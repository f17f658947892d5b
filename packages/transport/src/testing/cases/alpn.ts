// ALPN cases (RFC 7301): what is offered, what the server picks, what
// `info.alpnProtocol` reports, and offers refused before any I/O. ALPN lives
// in \`tls\`, so a plain TCP connection cannot be asked for it.
import { type CaseDefinition, echo, target, withServer } from "../context.ts";
import { roundTrip } from "./basic.ts";

export const alpnCases: CaseDefinition[] = [
  {
    name: "tls: ALPN selects the protocol both sides know",
    async run(context) {
      const { ca, server: pem } = await context.certificates();
      const tls = { ...pem, alpnProtocols: ["h2", "http/1.1"] };
      await withServer(context, { tls }, echo, async (server) => {
        const offers: [readonly string[] | undefined, string | null][] = [
          [["h2", "http/1.1"], "h2"],
          [["http/1.1"], "http/1.1"],
          [["http/1.1", "h2"], "h2"], // the server's preference wins (RFC 7301 §3.2)
          [undefined, null],
          [[], null],
        ];
        for (const [alpnProtocols, expected] of offers) {
          const conn = await context.transport.connect(
            target(server, { tls: alpnProtocols ? { ca, alpnProtocols } : { ca } }),
          );
          const offer = alpnProtocols ? `[${alpnProtocols.join(",")}]` : "no offer";
          context.check.equal(conn.info.alpnProtocol, expected, `${offer} negotiates`);
          await roundTrip(context, conn);
        }
      });
    },
  },
  {
    name: "tls: an http/1.1-only server answers an h2 offer with http/1.1",
    async run(context) {
      const { ca, server: pem } = await context.certificates();
      await withServer(
        context,
        { tls: { ...pem, alpnProtocols: ["http/1.1"] } },
        echo,
        async (server) => {
          const conn = await context.transport.connect(
            target(server, { tls: { ca, alpnProtocols: ["h2", "http/1.1"] } }),
          );
          context.check.equal(conn.info.alpnProtocol, "http/1.1", "negotiated");
          await roundTrip(context, conn);
          // The longest name RFC 7301 allows is offered intact.
          const longest = ["x".repeat(255), "http/1.1"];
          const long = await context.transport.connect(
            target(server, { tls: { ca, alpnProtocols: longest } }),
          );
          context.check.equal(long.info.alpnProtocol, "http/1.1", "a 255-byte name beside it");
          await roundTrip(context, long);
        },
      );
    },
  },
  {
    name: "tls: a server without ALPN leaves an offer unanswered",
    async run(context) {
      const { ca, server: pem } = await context.certificates();
      await withServer(context, { tls: pem }, echo, async (server) => {
        const conn = await context.transport.connect(
          target(server, { tls: { ca, alpnProtocols: ["h2", "http/1.1"] } }),
        );
        context.check.equal(conn.info.alpnProtocol, null, "nothing negotiated");
        await roundTrip(context, conn);
      });
    },
  },
  {
    name: "options: a malformed ALPN offer is a TypeError before any I/O",
    async run(context) {
      const malformed: unknown[] = [
        "h2",
        [""],
        ["h 2"],
        ["h2\n"],
        ["h\u00e9"],
        ["x".repeat(256)],
        [2],
        Array.from({ length: 300 }, () => "x".repeat(255)),
      ];
      for (const alpnProtocols of malformed) {
        // Port 9 (discard) is never dialled: the options are refused first.
        const attempt = context.transport.connect({
          host: "127.0.0.1",
          port: 9,
          tls: { alpnProtocols: alpnProtocols as string[] },
        });
        await context.check.rejects(
          attempt,
          TypeError,
          `alpnProtocols ${String(alpnProtocols).slice(0, 20)}`,
        );
      }
    },
  },
];
