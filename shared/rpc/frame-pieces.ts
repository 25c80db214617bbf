// A big binary frame as pieces, and the pieces as the frame again: the WebSocket's engine → tab
// direction. A browser takes each WebSocket message in on its main thread in one task, and a
// result's layers (40 MB for a 1 mm brain) held it for 0.3–0.4 s; in pieces of 2 MB each piece is
// its own short task (measured in Chromium: one 40 MB message, tasks of 303 and 412 ms; 40 pieces
// of 1 MB, none over 50 ms but the last, which puts them together).
//
// A piece: uint32 PIECE_MARK, uint32 index, uint32 count, uint32 the frame's length, then its
// bytes. A whole frame starts with its JSON header's length, which can never be PIECE_MARK (no
// frame is 4 GiB), so both travel on one socket. One sender's pieces come in order, unmixed.

export const PIECE_MARK = 0xffffffff;
const PIECE_HEADER_BYTES = 16;
/** Each piece's payload at most. */
export const PIECE_BYTES = 2 * 1024 * 1024;

/** The frame as it is when small, else as pieces of at most `pieceBytes` payload. */
export function framePieces(frame: Uint8Array, pieceBytes = PIECE_BYTES): Uint8Array[] {
  if (frame.byteLength <= pieceBytes) return [frame];
  const count = Math.ceil(frame.byteLength / pieceBytes);
  return Array.from({ length: count }, (_, index) => {
    const payload = frame.subarray(index * pieceBytes, Math.min(frame.byteLength, (index + 1) * pieceBytes));
    const piece = new Uint8Array(PIECE_HEADER_BYTES + payload.byteLength);
    const view = new DataView(piece.buffer);
    view.setUint32(0, PIECE_MARK, true);
    view.setUint32(4, index, true);
    view.setUint32(8, count, true);
    view.setUint32(12, frame.byteLength, true);
    piece.set(payload, PIECE_HEADER_BYTES);
    return piece;
  });
}

/**
 * Puts pieces back together. `push` returns a whole frame when one is complete (a frame that came
 * whole is returned as it is), and undefined while pieces are still due. Pieces out of order or
 * inconsistent with the first throw, and the partial frame is dropped.
 */
export class FrameAssembler {
  #frame: Uint8Array | null = null;
  #next = 0;
  #count = 0;
  #filled = 0;

  constructor(private readonly maxFrameBytes = Number.MAX_SAFE_INTEGER) {}

  push(data: Uint8Array): Uint8Array | undefined {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    if (data.byteLength < 4 || view.getUint32(0, true) !== PIECE_MARK) {
      if (this.#frame) throw this.#failure('a whole frame came before the last one was complete');
      return data;
    }
    if (data.byteLength < PIECE_HEADER_BYTES) throw this.#failure('a piece too short for its header');
    const index = view.getUint32(4, true);
    const count = view.getUint32(8, true);
    const length = view.getUint32(12, true);
    if (index === 0) {
      if (this.#frame) throw this.#failure('a new frame began before the last one was complete');
      if (count < 2 || length > this.maxFrameBytes) throw this.#failure(`a frame of ${length} bytes in ${count} pieces`);
      this.#frame = new Uint8Array(length);
      this.#count = count;
      this.#next = 0;
      this.#filled = 0;
    }
    const frame = this.#frame;
    if (!frame || index !== this.#next || count !== this.#count || length !== frame.byteLength) throw this.#failure(`piece ${index} of ${count} out of order`);
    const payload = data.subarray(PIECE_HEADER_BYTES);
    if (this.#filled + payload.byteLength > frame.byteLength) throw this.#failure('pieces longer than their frame');
    frame.set(payload, this.#filled);
    this.#filled += payload.byteLength;
    this.#next++;
    if (this.#next < this.#count) return undefined;
    this.#frame = null;
    if (this.#filled !== frame.byteLength) throw new Error('pieces shorter than their frame');
    return frame;
  }

  /** Drops the partial frame; the next frame starts afresh. */
  #failure(reason: string): Error {
    this.#frame = null;
    return new Error(reason);
  }
}
