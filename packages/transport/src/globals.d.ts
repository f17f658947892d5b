// @reqivo/transport runs anywhere: its tsconfig has `types: []` and `lib: ES2023`,
// so any runtime global fails to type-check. Timers come in through `Timers`.
// The contract needs no global beyond ECMAScript; this file exists so adding one
// is a deliberate, reviewed act (declare it here, minimal).
export {};
