// A throw-away CA and a certificate for localhost / 127.0.0.1 signed by it,
// made at bench time (ECDSA P-256 keys from node:crypto's WebCrypto, X.509
// from @peculiar/x509), for the TLS benchmarks (client-origins, client-http2).
import { webcrypto } from "node:crypto";

/** PEM texts: the CA's certificate, the server's certificate and its private key. */
export interface Certificates {
  ca: string;
  cert: string;
  key: string;
}

/** Generates the CA and a server certificate valid for a day. */
export async function generateCertificates(): Promise<Certificates> {
  // @peculiar/x509 resolves its algorithms through tsyringe, which needs the
  // Reflect metadata polyfill loaded first.
  await import("reflect-metadata");
  const x509 = await import("@peculiar/x509");
  const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
  const hour = 3_600_000;
  const serial = () =>
    webcrypto
      .getRandomValues(new Uint8Array(8))
      .reduce((s, b, i) => s + (i === 0 ? (b & 0x7f) | 0x01 : b).toString(16).padStart(2, "0"), "");
  const caKeys = await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"]);
  const caName = "CN=Reqivo Bench CA";
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: caName,
    notBefore: new Date(Date.now() - hour),
    notAfter: new Date(Date.now() + 24 * hour),
    keys: caKeys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const keys = await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: "CN=localhost",
    issuer: caName,
    notBefore: new Date(Date.now() - hour),
    notAfter: new Date(Date.now() + 24 * hour),
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
      new x509.SubjectAlternativeNameExtension([
        { type: "dns", value: "localhost" },
        { type: "ip", value: "127.0.0.1" },
      ]),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
  return {
    ca: ca.toString("pem"),
    cert: cert.toString("pem"),
    key: x509.PemConverter.encode(pkcs8, "PRIVATE KEY"),
  };
}
