// The only runtime globals this package may touch besides the `Bun` namespace
// (declared in bun-types.ts): tsconfig has `types: []` and `lib: ES2023`.

declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
