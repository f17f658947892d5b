// The shared pin check without sockets: the SubjectPublicKeyInfo read from
// the DER is the one node:crypto exports, the pin is the kit's, and bad input
// (no certificate, any truncation, bad lengths, a failing hash) is a
// TlsPinMismatchError, never a throw.
import { createHash, X509Certificate } from "node:crypto";
import { describe, expect, test } from "vitest";
import { TlsPinMismatchError } from "../src/index.ts";
import { checkServerPins, subjectPublicKeyInfo } from "../src/kit.ts";
import { generateTestCertificates } from "../src/testing/certs.ts";

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("base64");
const bare = (pin: string) => pin.slice("sha256/".length);

/** A self-signed RSA certificate: longer lengths than the kit's P-256 ones. */
async function rsaCertificate(): Promise<Uint8Array> {
  // The order generateTestCertificates uses: the polyfill, then the library.
  await import("reflect-metadata");
  const x509 = await import("@peculiar/x509");
  const algorithm = {
    name: "RSASSA-PKCS1-v1_5",
    hash: "SHA-256",
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  };
  const keys = await crypto.subtle.generateKey(algorithm, false, ["sign", "verify"]);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: "CN=rsa.test",
    keys,
    signingAlgorithm: algorithm,
    notBefore: new Date(Date.now() - 3_600_000),
    notAfter: new Date(Date.now() + 3_600_000),
  });
  return new Uint8Array(certificate.rawData);
}

describe("subjectPublicKeyInfo", () => {
  test("is the SPKI node:crypto exports, for EC and RSA keys", async () => {
    const { server, named, client } = await generateTestCertificates();
    const ders = [server, named, client].map(({ cert }) => new X509Certificate(cert).raw);
    ders.push(Buffer.from(await rsaCertificate()));
    for (const der of ders) {
      const exported = new X509Certificate(der).publicKey.export({ type: "spki", format: "der" });
      expect(Buffer.from(subjectPublicKeyInfo(der)).equals(exported)).toBe(true);
    }
  });

  test("refuses malformed DER with TypeError", () => {
    const malformed = [
      [],
      [0x30],
      [0x30, 0x80, 0, 0], // indefinite length
      [0x30, 0x85, 1, 0, 0, 0, 0], // five length bytes
      [0x30, 0x84, 0xff, 0xff, 0xff, 0xff], // longer than the input
      [0x02, 0x01, 0x00], // not a SEQUENCE
      [0x30, 0x02, 0x02, 0x00, 0x00], // bytes after the certificate
      [0x30, 0x00],
    ];
    for (const bytes of malformed) {
      expect(() => subjectPublicKeyInfo(new Uint8Array(bytes))).toThrow(TypeError);
    }
  });
});

describe("checkServerPins", () => {
  test("a matching pin passes; no pins pass anything; a miss names the actual pin", async () => {
    const { server, serverPin } = await generateTestCertificates();
    const der = new X509Certificate(server.cert).raw;
    const other = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    expect(checkServerPins([other, bare(serverPin)], der, sha256)).toBeNull();
    expect(checkServerPins([], null, sha256)).toBeNull();
    const mismatch = checkServerPins([other], der, sha256);
    expect(mismatch).toBeInstanceOf(TlsPinMismatchError);
    expect(mismatch?.reason).toBe(serverPin);
  });

  test("no certificate (a resumed session, say) is a mismatch, whatever the runtime gives", () => {
    for (const missing of [null, undefined, new Uint8Array(0)]) {
      const mismatch = checkServerPins(["AAAA"], missing, sha256);
      expect(mismatch?.code).toBe("TLS_PIN_MISMATCH");
      expect(mismatch?.reason).toBe("no server certificate");
    }
  });

  test("every truncation of a certificate and a throwing hash are mismatches, never throws", async () => {
    const { server, serverPin } = await generateTestCertificates();
    const der = new X509Certificate(server.cert).raw;
    for (let length = 1; length < der.byteLength; length++) {
      const mismatch = checkServerPins([bare(serverPin)], der.subarray(0, length), sha256);
      expect(mismatch?.reason).toBe("server certificate unreadable");
    }
    const failing = () => {
      throw new Error("no hash");
    };
    const mismatch = checkServerPins([bare(serverPin)], der, failing);
    expect(mismatch?.reason).toBe("server certificate unreadable");
    expect((mismatch?.cause as Error | undefined)?.message).toBe("no hash");
  });
});
