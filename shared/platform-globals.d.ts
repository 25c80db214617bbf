// The few globals that every runtime XiMorph targets (Node, Chromium, workers) provides but
// the ES library does not declare. Declared narrowly so that shared/ stays runtime-free.

declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string);
  decode(input?: ArrayBufferView | ArrayBuffer): string;
}
