// TLS cases: trust, names, SNI, client certificates, versions, and a
// handshake that never completes.
import {
  ConnectTimeoutError,
  TlsCertificateError,
  TlsError,
  TlsNameMismatchError,
  TransportError,
} from "../../errors.ts";
import { firstRecordLength, parseClientHello } from "../client-hello.ts";
import {
  type CaseDefinition,
  echo,
  expectUnsupported,
  silent,
  target,
  withServer,
} from "../context.ts";
import type { PeerSocket } from "../harness.ts";
import { concat, eventually } from "../support.ts";
import { roundTrip } from "./basic.ts";

export const tlsCases: CaseDefinition[] = [
  {
    name: "tls: echo, trusting a CA generated for the test",
    async run(context) {
      const { ca, server: pem } = await context.certificates();
      await withServer(context, { tls: pem }, echo, async (server) => {
        const conn = await context.transport.connect({
          host: "localhost",
          port: server.port,
          tls: { ca },
        });
        context.check.equal(conn.info.kind, "tls", "info.kind");
        const expectedVersion = context.supports("info.tlsVersion") ? "TLSv1.3" : null;
        context.check.equal(conn.info.tlsVersion, expectedVersion, "info.tlsVersion");
        await roundTrip(context, conn);
      });
    },
  },
  {
    name: "tls: SNI carries the servername option (ClientHello seen on the wire)",
    async run(context) {
      const hello: Uint8Array[] = [];
      let summary: ReturnType<typeof parseClientHello> | null = null;
      const sniff = async (peer: PeerSocket) => {
        // Collect the first TLS record, parse it, then hang up.
        for (let chunk = await peer.read(); chunk !== null; chunk = await peer.read()) {
          hello.push(chunk);
          const bytes = concat(hello);
          const length = firstRecordLength(bytes);
          if (length !== null && bytes.length >= length) {
            summary = parseClientHello(bytes);
            break;
          }
        }
        peer.destroy();
      };
      await withServer(context, {}, sniff, async (server) => {
        const attempt = context.transport.connect(
          target(server, {
            tls: { servername: "sni.test", alpnProtocols: ["http/1.1", "reqivo-test"] },
          }),
        );
        await context.check.rejects(attempt, TransportError, "the sniffer hangs up");
      });
      const seen = summary as ReturnType<typeof parseClientHello> | null;
      context.check.ok(seen !== null, "a ClientHello arrived");
      context.check.equal(seen?.servername ?? null, "sni.test", "SNI");
      context.check.equal(seen?.alpnProtocols.join(","), "http/1.1,reqivo-test", "ALPN offer");
    },
  },
  {
    name: "tls: the certificate is checked against servername, not the IP dialled",
    async run(context) {
      const { ca, named } = await context.certificates();
      await withServer(context, { tls: named }, echo, async (server) => {
        const conn = await context.transport.connect(
          target(server, { tls: { ca, servername: "sni.test" } }),
        );
        await roundTrip(context, conn);
      });
    },
  },
  {
    name: "tls: a certificate for another name fails with TlsNameMismatchError",
    async run(context) {
      const { ca, named } = await context.certificates();
      await withServer(context, { tls: named }, silent, async (server) => {
        const error = await context.check.rejects(
          context.transport.connect(target(server, { tls: { ca, servername: "localhost" } })),
          TlsNameMismatchError,
          "name mismatch",
        );
        context.check.equal(error.code, "TLS_NAME_MISMATCH", "code");
        context.check.ok(error.reason.length > 0, "the runtime's reason is kept");
        context.check.ok(error.cause !== undefined, "the raw error is the cause");
      });
    },
  },
  {
    name: "tls: a certificate from an untrusted CA fails with TlsCertificateError",
    async run(context) {
      const { ca, untrusted } = await context.certificates();
      await withServer(context, { tls: untrusted }, silent, async (server) => {
        const error = await context.check.rejects(
          context.transport.connect(target(server, { tls: { ca, servername: "localhost" } })),
          TlsCertificateError,
          "untrusted issuer",
        );
        context.check.equal(error.code, "TLS_CERTIFICATE_INVALID", "code");
        context.check.ok(error.reason.length > 0, "the runtime's reason is kept");
        context.check.ok(error.cause !== undefined, "the raw error is the cause");
      });
    },
  },
  {
    name: "tls: rejectUnauthorized=false accepts an untrusted certificate",
    async run(context) {
      const { untrusted } = await context.certificates();
      await withServer(context, { tls: untrusted }, echo, async (server) => {
        const attempt = context.transport.connect(
          target(server, { tls: { rejectUnauthorized: false } }),
        );
        if (!context.supports("tls.rejectUnauthorized=false")) {
          await expectUnsupported(context, attempt, "tls.rejectUnauthorized");
          return;
        }
        await roundTrip(context, await attempt);
      });
    },
  },
  {
    name: "tls: a client certificate is presented to a server that demands one",
    async run(context) {
      const { ca, server: pem, client } = await context.certificates();
      await withServer(context, { tls: { ...pem, clientCa: ca } }, echo, async (server) => {
        const attempt = context.transport.connect(target(server, { tls: { ca, ...client } }));
        if (!context.supports("tls.cert")) {
          await expectUnsupported(context, attempt, "tls.cert");
          return;
        }
        await roundTrip(context, await attempt);
      });
    },
  },
  {
    name: "tls: minVersion TLSv1.3 refuses a TLS 1.2-only server",
    async run(context) {
      const { ca, server: pem } = await context.certificates();
      const tls = { ca, minVersion: "TLSv1.3" } as const;
      if (!context.supports("tls.minVersion=TLSv1.3")) {
        const attempt = context.transport.connect({ host: "127.0.0.1", port: 9, tls });
        await expectUnsupported(context, attempt, "tls.minVersion");
        return;
      }
      const options = { tls: { ...pem, maxVersion: "TLSv1.2" as const } };
      await withServer(context, options, echo, async (server) => {
        const attempt = context.transport.connect(target(server, { tls }));
        const error = await context.check.rejects(attempt, TlsError, "version floor");
        context.check.equal(error.code, "TLS_HANDSHAKE_FAILED", "code");
      });
    },
  },
  {
    name: "tls: connect timeout fires when the server never answers the handshake",
    async run(context) {
      await withServer(context, {}, silent, async (server) => {
        const started = Date.now();
        const error = await context.check.rejects(
          context.transport.connect(target(server, { tls: true, connectTimeout: 300 })),
          ConnectTimeoutError,
          "silent server",
        );
        const elapsed = Date.now() - started;
        context.check.equal(error.code, "CONNECT_TIMEOUT", "code");
        context.check.ok(elapsed >= 250 && elapsed < 5_000, `fired after ${elapsed} ms`);
        if (context.supports("tls.cancelHandshakeClosesSocket")) {
          const released = await eventually(() => server.openConnections === 0, 3_000);
          context.check.ok(released, "the half-open socket was closed");
        }
      });
    },
  },
];
