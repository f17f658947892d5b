// RFC 7541 Appendix C: every example, decoded with the dynamic table checked
// after each block, and the request examples re-encoded byte for byte.
import { describe, expect, it } from "vitest";
import { HpackDecoder } from "../../../src/http2/hpack/decoder.ts";
import { HpackEncoder } from "../../../src/http2/hpack/encoder.ts";
import { HpackReader, writeInteger } from "../../../src/http2/hpack/primitives.ts";
import { fromHex } from "../../http/drive.ts";

const hex = (text: string): Uint8Array => fromHex(text.replace(/\s+/g, ""));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

type Pairs = [string, string][];
interface Step {
  wire: string;
  headers: Pairs;
  /** The dynamic table after the block, newest first. */
  table: Pairs;
  size: number;
}

function decodeSeries(steps: Step[], maxTableSize: number): void {
  const decoder = new HpackDecoder();
  // SETTINGS_HEADER_TABLE_SIZE set to the example's value: the RFC's blocks
  // carry no update, so the table starts at that size.
  decoder.table.setMaxSize(maxTableSize);
  for (const step of steps) {
    expect(decoder.decode(hex(step.wire))).toEqual(step.headers);
    expect(decoder.table.entries()).toEqual(step.table);
    expect(decoder.table.size).toBe(step.size);
  }
}

describe("C.1 integer representation", () => {
  it.each([
    [10, 5, "0a"],
    [1337, 5, "1f9a0a"],
    [42, 8, "2a"],
  ])("%i with a %i-bit prefix is %s", (value, prefix, wire) => {
    const out = new Uint8Array(8);
    expect(toHex(out.subarray(0, writeInteger(out, 0, value, prefix, 0)))).toBe(wire);
    const reader = new HpackReader(hex(wire));
    expect(reader.readInteger(prefix)).toBe(value);
    expect(reader.done).toBe(true);
  });
});

describe("C.2 header field representation", () => {
  it("C.2.1 literal with indexing", () => {
    decodeSeries(
      [
        {
          wire: "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572",
          headers: [["custom-key", "custom-header"]],
          table: [["custom-key", "custom-header"]],
          size: 55,
        },
      ],
      4096,
    );
  });
  it("C.2.2 literal without indexing", () => {
    decodeSeries(
      [
        {
          wire: "040c 2f73 616d 706c 652f 7061 7468",
          headers: [[":path", "/sample/path"]],
          table: [],
          size: 0,
        },
      ],
      4096,
    );
  });
  it("C.2.3 literal never indexed", () => {
    decodeSeries(
      [
        {
          wire: "1008 7061 7373 776f 7264 0673 6563 7265 74",
          headers: [["password", "secret"]],
          table: [],
          size: 0,
        },
      ],
      4096,
    );
  });
  it("C.2.4 indexed", () => {
    decodeSeries([{ wire: "82", headers: [[":method", "GET"]], table: [], size: 0 }], 4096);
  });
});

const request1: Pairs = [
  [":method", "GET"],
  [":scheme", "http"],
  [":path", "/"],
  [":authority", "www.example.com"],
];
const request2: Pairs = [...request1, ["cache-control", "no-cache"]];
const request3: Pairs = [
  [":method", "GET"],
  [":scheme", "https"],
  [":path", "/index.html"],
  [":authority", "www.example.com"],
  ["custom-key", "custom-value"],
];
const requestTables: Pairs[] = [
  [[":authority", "www.example.com"]],
  [
    ["cache-control", "no-cache"],
    [":authority", "www.example.com"],
  ],
  [
    ["custom-key", "custom-value"],
    ["cache-control", "no-cache"],
    [":authority", "www.example.com"],
  ],
];
const requestSizes = [57, 110, 164];
const requestsPlain = [
  "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
  "8286 84be 5808 6e6f 2d63 6163 6865",
  "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
];
const requestsHuffman = [
  "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
  "8286 84be 5886 a8eb 1064 9cbf",
  "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
];
const requests = [request1, request2, request3];

const requestSteps = (wires: string[]): Step[] =>
  wires.map((wire, i) => ({
    wire,
    headers: requests[i]!,
    table: requestTables[i]!,
    size: requestSizes[i]!,
  }));

describe("C.3 requests without Huffman", () => {
  it("decodes, with the table after each", () => decodeSeries(requestSteps(requestsPlain), 4096));
  it("the encoder writes the same bytes", () => {
    const encoder = new HpackEncoder({ huffman: "never" });
    requests.forEach((list, i) => {
      expect(toHex(encoder.encode(list))).toBe(requestsPlain[i]!.replace(/\s+/g, ""));
      expect(encoder.table.entries()).toEqual(requestTables[i]);
    });
  });
});

describe("C.4 requests with Huffman", () => {
  it("decodes, with the table after each", () => decodeSeries(requestSteps(requestsHuffman), 4096));
  it("the encoder writes the same bytes", () => {
    const encoder = new HpackEncoder();
    requests.forEach((list, i) => {
      expect(toHex(encoder.encode(list))).toBe(requestsHuffman[i]!.replace(/\s+/g, ""));
    });
  });
});

const date1 = "Mon, 21 Oct 2013 20:13:21 GMT";
const date2 = "Mon, 21 Oct 2013 20:13:22 GMT";
const location = "https://www.example.com";
const cookie = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";
const responses: Pairs[] = [
  [
    [":status", "302"],
    ["cache-control", "private"],
    ["date", date1],
    ["location", location],
  ],
  [
    [":status", "307"],
    ["cache-control", "private"],
    ["date", date1],
    ["location", location],
  ],
  [
    [":status", "200"],
    ["cache-control", "private"],
    ["date", date2],
    ["location", location],
    ["content-encoding", "gzip"],
    ["set-cookie", cookie],
  ],
];
const responseTables: Pairs[] = [
  [
    ["location", location],
    ["date", date1],
    ["cache-control", "private"],
    [":status", "302"],
  ],
  [
    [":status", "307"],
    ["location", location],
    ["date", date1],
    ["cache-control", "private"],
  ],
  [
    ["set-cookie", cookie],
    ["content-encoding", "gzip"],
    ["date", date2],
  ],
];
const responseSizes = [222, 222, 215];
const responseSteps = (wires: string[]): Step[] =>
  wires.map((wire, i) => ({
    wire,
    headers: responses[i]!,
    table: responseTables[i]!,
    size: responseSizes[i]!,
  }));

describe("C.5 responses without Huffman (table size 256, evictions)", () => {
  it("decodes, with the table after each", () =>
    decodeSeries(
      responseSteps([
        `4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133
         2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70
         6c65 2e63 6f6d`,
        "4803 3330 37c1 c0bf",
        `88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d
         54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049
         5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e
         3d31`,
      ]),
      256,
    ));
});

describe("C.6 responses with Huffman (table size 256, evictions)", () => {
  it("decodes, with the table after each", () =>
    decodeSeries(
      responseSteps([
        `4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
         2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3`,
        "4883 640e ffc1 c0bf",
        `88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab
         77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
         9587 3160 65c0 03ed 4ee5 b106 3d50 07`,
      ]),
      256,
    ));
});
