/**
 * The SOCKS5 handshake (RFC 1928) with optional user name / password
 * authentication (RFC 1929), over an open connection to the SOCKS server.
 * Host names are sent as names (ATYP 3): the proxy resolves them, so no DNS
 * query for the target leaves this machine.
 */
import type { Connection } from "@reqivo/transport";
import { InvalidRequestError } from "../../errors.ts";
import type { ProxyEndpoint } from "./config.ts";
import { SocksError } from "./errors.ts";
import { parseIpv4, parseIpv6 } from "./ip.ts";

const VERSION = 0x05;
const NO_AUTH = 0x00;
const USER_PASSWORD = 0x02;
const NO_ACCEPTABLE = 0xff;
const CMD_CONNECT = 0x01;
const ATYP_IPV4 = 0x01;
const ATYP_DOMAIN = 0x03;
const ATYP_IPV6 = 0x04;

/** Reads exact byte counts from a connection; what is left after the handshake belongs to the tunnel. */
class HandshakeReader {
  #buffer = new Uint8Array(0);
  readonly #connection: Connection;
  readonly #proxy: string;

  constructor(connection: Connection, proxy: string) {
    this.#connection = connection;
    this.#proxy = proxy;
  }

  async take(count: number): Promise<Uint8Array> {
    while (this.#buffer.length < count) {
      const chunk = await this.#connection.read();
      if (chunk === null)
        throw new SocksError(
          "SOCKS_PROTOCOL_ERROR",
          `SOCKS5 proxy ${this.#proxy} closed the connection during the handshake`,
          { proxy: this.#proxy },
        );
      const grown = new Uint8Array(this.#buffer.length + chunk.length);
      grown.set(this.#buffer, 0);
      grown.set(chunk, this.#buffer.length);
      this.#buffer = grown;
    }
    const out = this.#buffer.subarray(0, count);
    this.#buffer = this.#buffer.subarray(count);
    return out;
  }

  /** Bytes received past the handshake. */
  rest(): Uint8Array {
    return this.#buffer;
  }
}

function protocolError(proxy: string, what: string): SocksError {
  return new SocksError("SOCKS_PROTOCOL_ERROR", `SOCKS5 proxy ${proxy}: ${what}`, { proxy });
}

/** DST.ADDR with its ATYP: IP literals as addresses, anything else as a name. */
function address(hostname: string): Uint8Array {
  const v4 = parseIpv4(hostname);
  if (v4 !== null) return Uint8Array.of(ATYP_IPV4, ...v4);
  const v6 = hostname.startsWith("[") ? parseIpv6(hostname) : null;
  if (v6 !== null) return Uint8Array.of(ATYP_IPV6, ...v6);
  // URL host names are ASCII (IDNs arrive punycoded) and at most 253 bytes long.
  const name = new TextEncoder().encode(hostname);
  if (name.length > 255) throw new InvalidRequestError("host name too long for SOCKS5");
  return Uint8Array.of(ATYP_DOMAIN, name.length, ...name);
}

function userPassword(username: string, password: string): Uint8Array {
  const encoder = new TextEncoder();
  const user = encoder.encode(username);
  const pass = encoder.encode(password);
  return Uint8Array.of(0x01, user.length, ...user, pass.length, ...pass);
}

/**
 * Runs the handshake on `connection` (open to the SOCKS server) for
 * `hostname:port` and returns the bytes that came after it (usually none).
 * Throws SocksError with the code of the failure.
 *
 * @example
 * ```ts
 * const rest = await socksHandshake(connection, endpoint, "example.com", 443);
 * ```
 */
export async function socksHandshake(
  connection: Connection,
  endpoint: ProxyEndpoint,
  hostname: string,
  port: number,
): Promise<Uint8Array> {
  const proxy = endpoint.href;
  const reader = new HandshakeReader(connection, proxy);
  const credentials = endpoint.credentials;
  const methods = credentials === undefined ? [NO_AUTH] : [NO_AUTH, USER_PASSWORD];
  await connection.write(Uint8Array.of(VERSION, methods.length, ...methods));
  const [version, method] = await reader.take(2);
  if (version !== VERSION) throw protocolError(proxy, `not a SOCKS5 server (version ${version})`);
  if (method === NO_ACCEPTABLE)
    throw new SocksError(
      "SOCKS_NO_ACCEPTABLE_METHOD",
      `SOCKS5 proxy ${proxy} accepts none of the offered authentication methods${credentials === undefined ? " (it may want a user name and password)" : ""}`,
      { proxy },
    );
  if (!methods.includes(method!))
    throw protocolError(proxy, `chose method ${method}, which was not offered`);
  if (method === USER_PASSWORD && credentials !== undefined) {
    await connection.write(userPassword(credentials.username, credentials.password));
    // The status reply's version byte is 0x01 by RFC 1929; some servers send 0x05.
    const [, status] = await reader.take(2);
    if (status !== 0)
      throw new SocksError(
        "SOCKS_AUTH_FAILED",
        `SOCKS5 proxy ${proxy} refused the user name and password`,
        { proxy },
      );
  }
  await connection.write(
    Uint8Array.of(VERSION, CMD_CONNECT, 0x00, ...address(hostname), port >> 8, port & 0xff),
  );
  const [replyVersion, reply, , atyp] = await reader.take(4);
  if (replyVersion !== VERSION) throw protocolError(proxy, "malformed reply");
  if (reply !== 0) throw SocksError.fromReply(reply!, proxy);
  // BND.ADDR and BND.PORT: read past them, they are of no use to a client.
  if (atyp === ATYP_IPV4) await reader.take(4 + 2);
  else if (atyp === ATYP_IPV6) await reader.take(16 + 2);
  else if (atyp === ATYP_DOMAIN) await reader.take((await reader.take(1))[0]! + 2);
  else throw protocolError(proxy, `unknown address type ${atyp} in the reply`);
  return reader.rest();
}
