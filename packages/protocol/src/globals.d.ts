// The only runtime globals @reqivo/protocol may touch (tsconfig has `types: []`
// and `lib: ES2023`). Declared here, minimal, so that any other global fails to
// type-check.

declare class TextEncoder {
  encode(input?: string): Uint8Array;
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
}

declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string;
}

declare const crypto: {
  getRandomValues<T extends ArrayBufferView | null>(array: T): T;
};
