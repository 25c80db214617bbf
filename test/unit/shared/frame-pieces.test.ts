// Big frames cross the WebSocket in pieces and come out whole, byte for byte; pieces that do not
// fit together are refused without poisoning the frames after them.
import { describe, expect, it } from 'vitest';
import { decodeBinaryMessage, encodeBinaryMessage } from '../../../shared/rpc/binary-codec';
import { FrameAssembler, framePieces, PIECE_MARK } from '../../../shared/rpc/frame-pieces';

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);

describe('frame pieces', () => {
  it('sends a small frame whole and a big one in pieces that come out as the same bytes', () => {
    const small = bytes(100);
    expect(framePieces(small, 100)).toEqual([small]);
    for (const n of [101, 300, 1000, 1001]) {
      const frame = bytes(n, n);
      const pieces = framePieces(frame, 100);
      expect(pieces).toHaveLength(Math.ceil(n / 100));
      const assembler = new FrameAssembler();
      const out = pieces.map((p) => assembler.push(p));
      expect(out.slice(0, -1).every((f) => f === undefined)).toBe(true);
      expect(out.at(-1)).toEqual(frame);
    }
  });

  it('carries a message with big typed arrays through the codec in pieces', () => {
    const message = { id: 7, kind: 'result', result: { pixels: new Float32Array(30_000).map((_, i) => Math.sin(i)), labels: new Uint16Array(5_001).fill(9) } };
    const assembler = new FrameAssembler();
    let whole: Uint8Array | undefined;
    for (const piece of framePieces(encodeBinaryMessage(message), 16 * 1024)) whole = assembler.push(piece) ?? whole;
    expect(decodeBinaryMessage(whole!)).toEqual(message);
  });

  it('takes whole frames between pieced ones, and refuses pieces that do not fit together', () => {
    const assembler = new FrameAssembler(5000);
    const a = framePieces(bytes(250, 2), 100);
    const b = framePieces(bytes(250, 3), 100);
    const whole = bytes(40, 4);
    expect(assembler.push(whole)).toBe(whole);
    // Out of order: the partial frame is dropped, and the next frame arrives intact.
    assembler.push(a[0]);
    expect(() => assembler.push(a[2])).toThrow(/out of order/);
    expect(b.map((p) => assembler.push(p)).at(-1)).toEqual(bytes(250, 3));
    // A new frame, or a whole one, before the last is complete.
    assembler.push(a[0]);
    expect(() => assembler.push(b[0])).toThrow(/new frame began/);
    assembler.push(a[0]);
    expect(() => assembler.push(whole)).toThrow(/whole frame came/);
    // A piece that is not the first, with nothing begun.
    expect(() => assembler.push(a[1])).toThrow(/out of order/);
    // A claimed length over the limit, and a header cut short.
    const huge = framePieces(bytes(6000), 1000)[0];
    expect(() => assembler.push(huge)).toThrow(/6000 bytes/);
    const stub = new Uint8Array(8);
    new DataView(stub.buffer).setUint32(0, PIECE_MARK, true);
    expect(() => assembler.push(stub)).toThrow(/too short/);
    expect(a.map((p) => assembler.push(p)).at(-1)).toEqual(bytes(250, 2));
  });
});
