// TLS settings end to end against node:https servers with certificates made at
// test time: trust, names, SNI override, pins, minimum version, client
// certificates, the insecure-mode warning, and pool keys that keep
// connections with different settings apart.
import type { TLSSocket } from "node:tls";
import {
  TlsCertificateError,
  TlsError,
  TlsHandshakeError,
  TlsNameMismatchError,
  TlsPinMismatchError,
} from "@reqivo/transport";
import { afterEach, describe, expect, it, vi } from "vitest";
import { InvalidRequestError } from "../src/index.ts";
import { session } from "./harness.ts";
import { certs, httpsServer, spkiPin } from "./tls-servers.ts";

const OTHER_PIN = `sha256/${Buffer.alloc(32, 7).toString("base64")}`;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("TLS settings", () => {
  it("verifies certificates by default: an unknown issuer fails with TlsCertificateError and its reason, and no warning", async () => {
    const { server: pair } = await certs();
    const server = await httpsServer(pair);
    const warn = vi.spyOn(process, "emitWarning");
    const error = await session()
      .get(`https://localhost:${server.port}/`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TlsCertificateError);
    expect((error as TlsCertificateError).code).toBe("TLS_CERTIFICATE_INVALID");
    expect((error as TlsCertificateError).reason).toMatch(/^[A-Z_]{6,}/);
    expect(warn).not.toHaveBeenCalled();
  });

  it("trusts a given CA; a certificate for another name fails with TlsNameMismatchError", async () => {
    const { ca, server: pair, named } = await certs();
    const good = await httpsServer(pair);
    const wrongName = await httpsServer(named);
    const s = session({ tls: { ca } });
    const res = await s.get(`https://localhost:${good.port}/a`);
    expect(await res.text()).toBe("ok /a");
    const error = await s.get(`https://localhost:${wrongName.port}/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TlsNameMismatchError);
    expect((error as TlsNameMismatchError).code).toBe("TLS_NAME_MISMATCH");
    expect((error as TlsError).reason.length).toBeGreaterThan(0);
  });

  it("servername overrides SNI and the name checked, per session and per request", async () => {
    const { ca, named } = await certs();
    let sni: string | false | null | undefined;
    const server = await httpsServer(named, (req, res) => {
      sni = (req.socket as TLSSocket).servername;
      res.end("named");
    });
    const s = session({ tls: { ca } });
    const res = await s.get(`https://127.0.0.1:${server.port}/`, {
      tls: { servername: "sni.test" },
    });
    expect(await res.text()).toBe("named");
    expect(sni).toBe("sni.test");
    const whole = session({ tls: { ca, servername: "sni.test" } });
    expect(await (await whole.get(`https://127.0.0.1:${server.port}/`)).text()).toBe("named");
    await expect(s.get(`https://127.0.0.1:${server.port}/`)).rejects.toBeInstanceOf(
      TlsNameMismatchError,
    );
  });

  it("pins the server key: a matching SPKI pin connects, another fails with TLS_PIN_MISMATCH", async () => {
    const { ca, server: pair } = await certs();
    const server = await httpsServer(pair);
    const url = `https://localhost:${server.port}/`;
    const pinned = session({ tls: { ca, pins: [OTHER_PIN, spkiPin(pair.cert)] } });
    expect(await (await pinned.get(url)).text()).toBe("ok /");
    const error = await session({ tls: { ca, pins: [OTHER_PIN] } })
      .get(url)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TlsPinMismatchError);
    expect((error as TlsPinMismatchError).code).toBe("TLS_PIN_MISMATCH");
    // The reason carries the key's actual pin.
    expect((error as TlsPinMismatchError).reason).toContain(spkiPin(pair.cert).slice(7));
  });

  it("minVersion TLSv1.3 refuses a TLS 1.2-only server", async () => {
    const { ca, server: pair } = await certs();
    const server = await httpsServer({ ...pair, maxVersion: "TLSv1.2" });
    const url = `https://localhost:${server.port}/`;
    const s = session({ tls: { ca } });
    expect(await (await s.get(url)).text()).toBe("ok /");
    await expect(s.get(url, { tls: { minVersion: "TLSv1.3" } })).rejects.toBeInstanceOf(
      TlsHandshakeError,
    );
  });

  it("client certificates (mTLS): sent when given, a typed TLS failure when missing", async () => {
    const { ca, server: pair, client } = await certs();
    const server = await httpsServer(
      { ...pair, ca, requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        res.end(`hello ${peer.subject?.CN}`);
      },
    );
    const url = `https://localhost:${server.port}/`;
    const mutual = session({ tls: { ca, cert: client.cert, key: client.key } });
    expect(await (await mutual.get(url)).text()).toBe("hello Reqivo Test Client");
    const error = await session({ tls: { ca } })
      .get(url)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TlsError);
    expect((error as TlsError).code).toBe("TLS_HANDSHAKE_FAILED");
  });

  it("keeps connections with different TLS settings apart, and reuses those with equal ones", async () => {
    const { ca, server: pair } = await certs();
    const server = await httpsServer(pair);
    const url = `https://localhost:${server.port}/`;
    const s = session({ tls: { ca } });
    await (await s.get(url)).dump();
    await (await s.get(url)).dump();
    expect(server.accepted).toBe(1);
    // Another pin list: another connection, though the origin is the same.
    await (await s.get(url, { tls: { pins: [spkiPin(pair.cert)] } })).dump();
    expect(server.accepted).toBe(2);
    // Equal settings in a new object (keys in another order): the pinned connection again.
    const res = await s.get(url, { tls: { pins: [spkiPin(pair.cert)], ca } });
    expect(res.timings.reused).toBe(true);
    await res.dump();
    // Another CA list (the same CA twice): a third connection.
    await (await s.get(url, { tls: { ca: [ca, ca] } })).dump();
    expect(server.accepted).toBe(3);
    const keys = Object.keys(s.poolStats());
    expect(keys).toHaveLength(3);
    // Pool keys name settings by id, never by content (no PEM in diagnostics).
    for (const key of keys) expect(key).not.toContain("BEGIN");
  });

  it("rejectUnauthorized: false connects to an untrusted server and warns once per session", async () => {
    const { untrusted } = await certs();
    const server = await httpsServer(untrusted);
    const url = `https://localhost:${server.port}/`;
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    const s = session({ tls: { rejectUnauthorized: false } });
    for (let i = 0; i < 3; i++) expect(await (await s.get(url)).text()).toBe("ok /");
    await (await s.get(url, { tls: { rejectUnauthorized: false, minVersion: "TLSv1.2" } })).dump();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[1]).toMatchObject({ code: "REQIVO_TLS_INSECURE" });
    // Asked for per request only: that session warns then, once.
    const other = session();
    await (await other.get(url, { tls: { rejectUnauthorized: false } })).dump();
    await (await other.get(url, { tls: { rejectUnauthorized: false } })).dump();
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it("refuses malformed settings up front with InvalidRequestError", async () => {
    expect(() => session({ tls: { pins: ["not-a-pin"] } })).toThrow(InvalidRequestError);
    expect(() => session({ tls: { cert: "x" } })).toThrow(/cert and tls.key/);
    expect(() => session({ tls: { servername: "a.test\r\nx" } })).toThrow(InvalidRequestError);
    const s = session();
    await expect(
      s.get("https://localhost:1/", { tls: { minVersion: "TLSv1.0" as "TLSv1.2" } }),
    ).rejects.toBeInstanceOf(InvalidRequestError);
  });
});
