/**
 * Where and how requests connect: --proxy/--no-proxy, the TLS options
 * (--cacert, --cert/--key, --pin, --tls-min, --insecure), --unix-socket and
 * --resolve. Checked with the command line; turned into the Session's
 * `proxy`, `tls`, `socketPath` and `dns` options (files read) for both HTTP
 * and --ws runs.
 */
import { isIP } from "node:net";
import type { ClientTlsOptions, SessionOptions } from "@reqivo/node";
import { usage } from "./errors.ts";
import { readLocalFile } from "./read-file.ts";

/** The networking part of the command line. */
export interface NetworkArgs {
  /** A proxy URL, `"env"`, or `false` (--no-proxy); `undefined`: none given. */
  proxy: string | false | undefined;
  cacert: string | undefined;
  cert: string | undefined;
  key: string | undefined;
  pins: string[];
  tlsMin: "TLSv1.2" | "TLSv1.3" | undefined;
  insecure: boolean;
  unixSocket: string | undefined;
  /** --resolve: host name (lower case) → addresses, in the order given. */
  resolve: Map<string, string[]>;
}

/** parseArgs declarations of the networking options. */
export const NETWORK_OPTIONS = {
  proxy: { type: "string" },
  "no-proxy": { type: "boolean" },
  cacert: { type: "string" },
  cert: { type: "string" },
  key: { type: "string" },
  pin: { type: "string", multiple: true },
  "tls-min": { type: "string" },
  insecure: { type: "boolean", short: "k" },
  "unix-socket": { type: "string" },
  resolve: { type: "string", multiple: true },
} as const;

/** What parseArgs gives for {@link NETWORK_OPTIONS}. */
export interface NetworkValues {
  proxy?: string;
  "no-proxy"?: boolean;
  cacert?: string;
  cert?: string;
  key?: string;
  pin?: string[];
  "tls-min"?: string;
  insecure?: boolean;
  "unix-socket"?: string;
  resolve?: string[];
}

const TLS_VERSIONS: Record<string, NetworkArgs["tlsMin"]> = {
  "tlsv1.2": "TLSv1.2",
  "1.2": "TLSv1.2",
  "tlsv1.3": "TLSv1.3",
  "1.3": "TLSv1.3",
};

/** Checks the networking options; throws a usage error for what cannot work. */
export function parseNetworkOptions(values: NetworkValues): NetworkArgs {
  const proxy = values["no-proxy"] ? false : values.proxy;
  if (proxy === "") throw usage("--proxy needs a URL, or env for the environment's variables");
  if (values.key !== undefined && values.cert === undefined) throw usage("--key goes with --cert");
  const tlsMinText = values["tls-min"];
  const tlsMin = tlsMinText === undefined ? undefined : TLS_VERSIONS[tlsMinText.toLowerCase()];
  if (tlsMinText !== undefined && tlsMin === undefined)
    throw usage(`--tls-min must be TLSv1.2 or TLSv1.3, got ${JSON.stringify(tlsMinText)}`);
  const unixSocket = values["unix-socket"];
  if (unixSocket === "") throw usage("--unix-socket needs the socket's path");
  if (unixSocket !== undefined && typeof proxy === "string")
    throw usage("--unix-socket and --proxy cannot be used together (the socket is the route)");
  const resolve = new Map<string, string[]>();
  for (const entry of values.resolve ?? []) {
    const { host, address } = parseResolve(entry);
    resolve.set(host, [...(resolve.get(host) ?? []), address]);
  }
  return {
    proxy,
    cacert: values.cacert,
    cert: values.cert,
    key: values.key,
    pins: values.pin ?? [],
    tlsMin,
    insecure: values.insecure ?? false,
    unixSocket,
    resolve,
  };
}

/** `host:address` (an IPv6 address bare or in brackets) → its parts. */
function parseResolve(entry: string): { host: string; address: string } {
  const colon = entry.indexOf(":");
  const host = entry.slice(0, colon).toLowerCase();
  const given = entry.slice(colon + 1);
  const address = given.startsWith("[") && given.endsWith("]") ? given.slice(1, -1) : given;
  if (colon <= 0 || isIP(address) === 0)
    throw usage(
      `--resolve takes HOST:ADDRESS with an IP address (e.g. api.test:127.0.0.1), got ${JSON.stringify(entry)}`,
    );
  return { host, address };
}

/** The Session options for `network`, with the certificate and key files read. */
export async function sessionNetworkOptions(
  network: NetworkArgs,
): Promise<Pick<SessionOptions, "proxy" | "tls" | "socketPath" | "dns">> {
  const tls: ClientTlsOptions = {
    ...(network.cacert !== undefined && { ca: await readText(network.cacert, "--cacert") }),
    ...(await clientCertificate(network)),
    ...(network.pins.length > 0 && { pins: network.pins }),
    ...(network.tlsMin !== undefined && { minVersion: network.tlsMin }),
    ...(network.insecure && { rejectUnauthorized: false }),
  };
  return {
    ...(network.proxy !== undefined && { proxy: network.proxy }),
    ...(Object.keys(tls).length > 0 && { tls }),
    ...(network.unixSocket !== undefined && { socketPath: network.unixSocket }),
    // fromEntries, not a literal: a host named __proto__ stays a plain key.
    ...(network.resolve.size > 0 && { dns: { lookup: Object.fromEntries(network.resolve) } }),
  };
}

/** --cert and --key; one PEM file may hold both, as curl allows. */
async function clientCertificate(
  network: NetworkArgs,
): Promise<Pick<ClientTlsOptions, "cert" | "key">> {
  if (network.cert === undefined) return {};
  const cert = await readText(network.cert, "--cert");
  if (network.key !== undefined) return { cert, key: await readText(network.key, "--key") };
  if (cert.includes("PRIVATE KEY-----")) return { cert, key: cert };
  throw usage("--cert needs --key (or a PEM file holding both the certificate and its key)");
}

async function readText(path: string, option: string): Promise<string> {
  return (await readLocalFile(path, option)).toString("utf8");
}
