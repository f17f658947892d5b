// A scripted HTTP/2 server for the connection tests: it writes frames with
// FrameWriter and HpackEncoder, and reads what the client sent back into frames.
import { expect } from "vitest";
import { concatBytes } from "../../../src/bytes.ts";
import type { HeaderPair } from "../../../src/http/headers.ts";
import { Http2ClientConnection } from "../../../src/http2/connection/connection.ts";
import type { Http2Event } from "../../../src/http2/connection/events.ts";
import type { Http2ClientOptions } from "../../../src/http2/connection/options.ts";
import { CLIENT_PREFACE } from "../../../src/http2/frames/constants.ts";
import { HeaderBlockJoiner } from "../../../src/http2/frames/header-block.ts";
import { FrameReader } from "../../../src/http2/frames/reader.ts";
import type { Http2Frame, SettingPair } from "../../../src/http2/frames/types.ts";
import { FrameWriter } from "../../../src/http2/frames/writer.ts";
import { HpackDecoder } from "../../../src/http2/hpack/decoder.ts";
import { HpackEncoder } from "../../../src/http2/hpack/encoder.ts";
import { NEED_DATA } from "../../../src/need-data.ts";

export const GET: HeaderPair[] = [
  [":method", "GET"],
  [":scheme", "https"],
  [":authority", "example.com"],
  [":path", "/"],
];

/** A received frame with its header block decoded. */
export type SeenFrame = Http2Frame & { fields?: HeaderPair[] };

export class FakeServer {
  readonly writer = new FrameWriter();
  readonly encoder = new HpackEncoder();
  readonly #reader = new FrameReader({ maxFrameSize: 1 << 20 });
  readonly #joiner = new HeaderBlockJoiner();
  readonly #decoder = new HpackDecoder();
  #prefaceSeen = false;

  settings(settings: SettingPair[] = []): Uint8Array {
    return this.writer.settings(settings);
  }

  headers(streamId: number, fields: HeaderPair[], endStream = false): Uint8Array {
    return this.writer.headers(streamId, this.encoder.encode(fields), { endStream });
  }

  data(streamId: number, text: string, endStream = false): Uint8Array {
    return this.writer.data(streamId, new TextEncoder().encode(text), { endStream });
  }

  /** The frames in what the client sent (the preface magic checked and dropped). */
  read(bytes: Uint8Array): SeenFrame[] {
    let rest = bytes;
    if (!this.#prefaceSeen) {
      expect(bytes.subarray(0, CLIENT_PREFACE.length)).toEqual(CLIENT_PREFACE);
      rest = bytes.subarray(CLIENT_PREFACE.length);
      this.#prefaceSeen = true;
    }
    this.#reader.receiveData(rest);
    const frames: SeenFrame[] = [];
    for (let f = this.#reader.nextFrame(); f !== NEED_DATA; f = this.#reader.nextFrame()) {
      const frame = this.#joiner.accept(f);
      if (frame === undefined) continue;
      if (frame.type === "headers")
        frames.push({ ...frame, fields: this.#decoder.decode(frame.fragment) });
      else frames.push(frame);
    }
    return frames;
  }
}

/** A client that has exchanged prefaces with `server` (SETTINGS both ways, ACKs read). */
export function connected(
  options: Http2ClientOptions = {},
  serverSettings: SettingPair[] = [],
): { client: Http2ClientConnection; server: FakeServer; events: Http2Event[] } {
  const client = new Http2ClientConnection(options);
  const server = new FakeServer();
  server.read(client.dataToSend());
  const events = client.receiveData(
    concatBytes([server.settings(serverSettings), server.writer.settingsAck()]),
  );
  server.read(client.dataToSend());
  return { client, server, events };
}

export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
export const types = (events: readonly Http2Event[]): string[] => events.map((e) => e.type);

/** The events with each run of `data` events of one stream joined into one (what dataPieces may split). */
export function joinData(events: readonly Http2Event[]): Http2Event[] {
  const out: Http2Event[] = [];
  for (const event of events) {
    const last = out.at(-1);
    if (event.type === "data" && last?.type === "data" && last.streamId === event.streamId) {
      out[out.length - 1] = { ...last, data: concatBytes([last.data, event.data]) };
    } else out.push(event);
  }
  return out;
}
