// The part of the WebAssembly JavaScript API that the engine's own kernels use
// (engine/inspection/attention-kernel.ts). Node provides it as a global; @types/node 20 does not
// declare it, and the DOM library that does is not this runtime's.

declare namespace WebAssembly {
  class Module {
    constructor(bytes: ArrayBufferView | ArrayBuffer);
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number });
    readonly buffer: ArrayBuffer;
  }
}
