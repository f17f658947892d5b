import { describe, expect, it } from "vitest";
import {
  buildHandshakeRequest,
  computeAcceptKey,
  type HandshakeOptions,
  LocalProtocolError,
  parseExtensions,
  RemoteProtocolError,
  validateHandshakeResponse,
} from "../../src/index.ts";
import { counterRandom } from "./helpers.ts";

function handshake(extra: Partial<HandshakeOptions> = {}) {
  return buildHandshakeRequest({
    target: "/chat",
    host: "example.com",
    random: counterRandom(0),
    ...extra,
  });
}

function answer(key: string, extra: [string, string][] = []) {
  return {
    status: 101,
    headers: [
      ["Upgrade", "WebSocket"],
      ["Connection", "keep-alive, Upgrade"],
      ["Sec-WebSocket-Accept", computeAcceptKey(key)],
      ...extra,
    ] as [string, string][],
  };
}

function remoteCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RemoteProtocolError);
    return (e as RemoteProtocolError).code;
  }
  throw new Error("did not throw");
}

describe("buildHandshakeRequest", () => {
  it("builds the upgrade request with a 16-byte key", () => {
    const hs = handshake({
      protocols: ["v2.chat", "v1.chat"],
      perMessageDeflate: true,
      origin: "https://a",
    });
    expect(hs.key).toBe("AAECAwQFBgcICQoLDA0ODw=="); // bytes 0..15
    expect(hs.request).toEqual({
      type: "request",
      method: "GET",
      target: "/chat",
      headers: [
        ["Host", "example.com"],
        ["Upgrade", "websocket"],
        ["Connection", "Upgrade"],
        ["Sec-WebSocket-Key", hs.key],
        ["Sec-WebSocket-Version", "13"],
        ["Sec-WebSocket-Protocol", "v2.chat, v1.chat"],
        ["Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"],
        ["Origin", "https://a"],
      ],
    });
  });

  it("uses crypto.getRandomValues by default (keys differ)", () => {
    const a = buildHandshakeRequest({ target: "/", host: "h" }).key;
    const b = buildHandshakeRequest({ target: "/", host: "h" }).key;
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  });

  it("formats deflate offers and refuses bad window bits", () => {
    const hs = handshake({
      perMessageDeflate: {
        serverNoContextTakeover: true,
        clientNoContextTakeover: true,
        serverMaxWindowBits: 10,
        clientMaxWindowBits: 12,
      },
    });
    expect(hs.request.headers.find(([n]) => n === "Sec-WebSocket-Extensions")?.[1]).toBe(
      "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12",
    );
    for (const bits of [7, 16, 9.5]) {
      expect(() => handshake({ perMessageDeflate: { serverMaxWindowBits: bits } })).toThrow(
        LocalProtocolError,
      );
    }
  });

  it("refuses invalid caller input before producing anything", () => {
    expect(() => handshake({ target: "chat" })).toThrow(LocalProtocolError);
    expect(() => handshake({ target: "/a b" })).toThrow(LocalProtocolError);
    expect(() => handshake({ host: "a\r\nX: y" })).toThrow(LocalProtocolError);
    expect(() => handshake({ protocols: ["a b"] })).toThrow(LocalProtocolError);
    expect(() => handshake({ protocols: ["x", "x"] })).toThrow(LocalProtocolError);
    expect(() => handshake({ headers: [["Sec-WebSocket-Key", "x"]] })).toThrow(LocalProtocolError);
    expect(() => handshake({ headers: [["X-A", "1\n"]] })).toThrow(LocalProtocolError);
    expect(handshake({ headers: [["Cookie", "a=1"]] }).request.headers.at(-1)).toEqual([
      "Cookie",
      "a=1",
    ]);
  });
});

describe("validateHandshakeResponse", () => {
  it("strips SP and HTAB around values, never a 0xA0 byte (RFC 9110 §5.6.3 OWS)", () => {
    const hs = handshake({ protocols: ["chat"], perMessageDeflate: true });
    const accept = computeAcceptKey(hs.key);
    const with_ = (name: string, value: string) => ({
      status: 101,
      headers: [...answer(hs.key).headers.filter(([n]) => n !== name), [name, value]] as [
        string,
        string,
      ][],
    });
    const accepted = validateHandshakeResponse(hs, {
      status: 101,
      headers: [
        ["Upgrade", " websocket\t"],
        ["Connection", "Upgrade "],
        ["Sec-WebSocket-Accept", `\t${accept} `],
        ["Sec-WebSocket-Protocol", " chat\t"],
        ["Sec-WebSocket-Extensions", "permessage-deflate ;\tclient_max_window_bits = 10 "],
      ],
    });
    expect(accepted.protocol).toBe("chat");
    expect(accepted.perMessageDeflate?.clientMaxWindowBits).toBe(10);
    for (const [name, value, code] of [
      ["Upgrade", "websocket\xa0", "HANDSHAKE_UPGRADE"],
      ["Connection", "\xa0upgrade", "HANDSHAKE_CONNECTION"],
      ["Sec-WebSocket-Accept", `${accept}\xa0`, "HANDSHAKE_ACCEPT"],
      ["Sec-WebSocket-Protocol", "\xa0chat", "HANDSHAKE_PROTOCOL"],
      [
        "Sec-WebSocket-Extensions",
        "permessage-deflate;\xa0client_max_window_bits",
        "HANDSHAKE_EXTENSION",
      ],
      ["Sec-WebSocket-Extensions", "permessage-deflate\xa0", "HANDSHAKE_EXTENSION"],
    ]) {
      expect(
        remoteCode(() => validateHandshakeResponse(hs, with_(name!, value!))),
        name,
      ).toBe(code);
    }
  });

  it("accepts a correct 101 and reports nothing negotiated", () => {
    const hs = handshake();
    expect(validateHandshakeResponse(hs, answer(hs.key))).toEqual({
      protocol: null,
      extensions: [],
      perMessageDeflate: null,
    });
  });

  it("checks status, Upgrade, Connection and Accept", () => {
    const hs = handshake();
    const ok = answer(hs.key);
    expect(remoteCode(() => validateHandshakeResponse(hs, { ...ok, status: 200 }))).toBe(
      "HANDSHAKE_STATUS",
    );
    const without = (name: string) => ({
      status: 101,
      headers: ok.headers.filter(([n]) => n !== name),
    });
    expect(remoteCode(() => validateHandshakeResponse(hs, without("Upgrade")))).toBe(
      "HANDSHAKE_UPGRADE",
    );
    expect(remoteCode(() => validateHandshakeResponse(hs, without("Connection")))).toBe(
      "HANDSHAKE_CONNECTION",
    );
    expect(remoteCode(() => validateHandshakeResponse(hs, without("Sec-WebSocket-Accept")))).toBe(
      "HANDSHAKE_ACCEPT",
    );
    const wrongKey = answer("AAAAAAAAAAAAAAAAAAAAAA==");
    expect(remoteCode(() => validateHandshakeResponse(hs, wrongKey))).toBe("HANDSHAKE_ACCEPT");
    const twice = answer(hs.key, [["Sec-WebSocket-Accept", computeAcceptKey(hs.key)]]);
    expect(remoteCode(() => validateHandshakeResponse(hs, twice))).toBe("HANDSHAKE_ACCEPT");
  });

  it("accepts only an offered subprotocol", () => {
    const hs = handshake({ protocols: ["v1", "v2"] });
    expect(
      validateHandshakeResponse(hs, answer(hs.key, [["Sec-WebSocket-Protocol", "v2"]])).protocol,
    ).toBe("v2");
    expect(
      remoteCode(() =>
        validateHandshakeResponse(hs, answer(hs.key, [["Sec-WebSocket-Protocol", "v3"]])),
      ),
    ).toBe("HANDSHAKE_PROTOCOL");
    expect(
      remoteCode(() =>
        validateHandshakeResponse(hs, answer(hs.key, [["Sec-WebSocket-Protocol", "v1, v2"]])),
      ),
    ).toBe("HANDSHAKE_PROTOCOL");
    const none = handshake();
    expect(
      remoteCode(() =>
        validateHandshakeResponse(none, answer(none.key, [["Sec-WebSocket-Protocol", "v1"]])),
      ),
    ).toBe("HANDSHAKE_PROTOCOL");
  });

  it("accepts only offered extensions with valid parameters", () => {
    const plain = handshake();
    const ext = (v: string) => answer(plain.key, [["Sec-WebSocket-Extensions", v]]);
    expect(remoteCode(() => validateHandshakeResponse(plain, ext("permessage-deflate")))).toBe(
      "HANDSHAKE_EXTENSION",
    );

    const hs = handshake({ perMessageDeflate: true });
    const res = (v: string) => answer(hs.key, [["Sec-WebSocket-Extensions", v]]);
    expect(
      validateHandshakeResponse(
        hs,
        res('permessage-deflate; server_no_context_takeover; client_max_window_bits="10"'),
      ).perMessageDeflate,
    ).toEqual({
      serverNoContextTakeover: true,
      clientNoContextTakeover: false,
      serverMaxWindowBits: 15,
      clientMaxWindowBits: 10,
    });
    for (const bad of [
      "x-webkit-deflate-frame",
      "permessage-deflate, permessage-deflate",
      "permessage-deflate; server_max_window_bits=7",
      "permessage-deflate; server_max_window_bits=16",
      "permessage-deflate; server_max_window_bits=99999999999999999999",
      "permessage-deflate; server_max_window_bits=010",
      "permessage-deflate; server_max_window_bits",
      "permessage-deflate; client_max_window_bits=8.5",
      "permessage-deflate; server_no_context_takeover=1",
      "permessage-deflate; unknown=1",
      "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
      "permessage-deflate; a b",
    ]) {
      expect(
        remoteCode(() => validateHandshakeResponse(hs, res(bad))),
        bad,
      ).toBe("HANDSHAKE_EXTENSION");
    }
  });

  it("holds the server to the limits the client required", () => {
    const hs = handshake({
      perMessageDeflate: {
        serverMaxWindowBits: 10,
        clientMaxWindowBits: 11,
        serverNoContextTakeover: true,
      },
    });
    const res = (v: string) => answer(hs.key, [["Sec-WebSocket-Extensions", v]]);
    const ok = "permessage-deflate; server_no_context_takeover; server_max_window_bits=9";
    expect(validateHandshakeResponse(hs, res(ok)).perMessageDeflate).toMatchObject({
      serverMaxWindowBits: 9,
      clientMaxWindowBits: 11,
    });
    for (const bad of [
      "permessage-deflate; server_no_context_takeover",
      "permessage-deflate; server_no_context_takeover; server_max_window_bits=12",
      "permessage-deflate; server_max_window_bits=9",
      "permessage-deflate; server_no_context_takeover; server_max_window_bits=9; client_max_window_bits=12",
    ]) {
      expect(
        remoteCode(() => validateHandshakeResponse(hs, res(bad))),
        bad,
      ).toBe("HANDSHAKE_EXTENSION");
    }
    const noClientBits = handshake({ perMessageDeflate: { clientMaxWindowBits: false } });
    expect(
      remoteCode(() =>
        validateHandshakeResponse(
          noClientBits,
          answer(noClientBits.key, [
            ["Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits=10"],
          ]),
        ),
      ),
    ).toBe("HANDSHAKE_EXTENSION");
  });

  it("parses extension lists", () => {
    expect(parseExtensions("a; x=1, B; Y")).toEqual([
      { name: "a", params: new Map([["x", "1"]]) },
      { name: "b", params: new Map([["y", true]]) },
    ]);
  });
});
