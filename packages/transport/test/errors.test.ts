import { describe, expect, test } from "vitest";
import {
  AbortedError,
  ConnectionClosedError,
  ConnectionRefusedError,
  ConnectionResetError,
  ConnectTimeoutError,
  DnsError,
  REQIVO_ERROR_BRAND,
  TlsCertificateError,
  TlsError,
  TlsHandshakeError,
  TlsNameMismatchError,
  TlsPinMismatchError,
  TransportError,
  UnsupportedError,
} from "../src/index.ts";

const cause = new Error("raw");
const cases = [
  [
    new ConnectionRefusedError("127.0.0.1:1", { cause }),
    "CONNECTION_REFUSED",
    "ConnectionRefusedError",
  ],
  [new DnsError("x.invalid", { cause }), "DNS_FAILURE", "DnsError"],
  [new ConnectTimeoutError(100, { cause }), "CONNECT_TIMEOUT", "ConnectTimeoutError"],
  [
    new TlsCertificateError("CERT_HAS_EXPIRED", { cause }),
    "TLS_CERTIFICATE_INVALID",
    "TlsCertificateError",
  ],
  [
    new TlsNameMismatchError("ERR_TLS_CERT_ALTNAME_INVALID", { cause }),
    "TLS_NAME_MISMATCH",
    "TlsNameMismatchError",
  ],
  [new TlsHandshakeError("ERR_SSL_X", { cause }), "TLS_HANDSHAKE_FAILED", "TlsHandshakeError"],
  [new TlsPinMismatchError("sha256/AAAA", { cause }), "TLS_PIN_MISMATCH", "TlsPinMismatchError"],
  [new ConnectionResetError({ cause }), "CONNECTION_RESET", "ConnectionResetError"],
  [new ConnectionClosedError("closed", { cause }), "CONNECTION_CLOSED", "ConnectionClosedError"],
  [new AbortedError({ cause }), "ABORTED", "AbortedError"],
  [new UnsupportedError("tls.cert", "test", { cause }), "UNSUPPORTED", "UnsupportedError"],
] as const;

describe("transport errors", () => {
  test.each(cases)("%s has a stable code, name, cause and brands", (error, code, name) => {
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toBeInstanceOf(Error);
    expect((error as unknown as Record<symbol, unknown>)[REQIVO_ERROR_BRAND]).toBe(true);
    expect((error as unknown as Record<symbol, unknown>)[Symbol.for(`reqivo.error.${name}`)]).toBe(
      true,
    );
  });

  test("TLS errors share TlsError and keep the runtime's reason", () => {
    const error = new TlsNameMismatchError("ERR_TLS_CERT_ALTNAME_INVALID");
    expect(error).toBeInstanceOf(TlsError);
    expect(error.reason).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
    expect(error).not.toBeInstanceOf(TlsCertificateError);
  });

  test("instanceof works for an error made by another copy of the package", () => {
    // What a second copy's class would produce: plain object with the brands.
    const foreign = Object.assign(new Error("x"), {
      [Symbol.for("reqivo.error")]: true,
      [Symbol.for("reqivo.error.TransportError")]: true,
      [Symbol.for("reqivo.error.ConnectionResetError")]: true,
    });
    expect(foreign).toBeInstanceOf(ConnectionResetError);
    expect(foreign).toBeInstanceOf(TransportError);
    expect(foreign).not.toBeInstanceOf(AbortedError);
    expect(null).not.toBeInstanceOf(TransportError);
  });
});
