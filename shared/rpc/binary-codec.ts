// A message with typed arrays inside, as one binary frame for transports that carry bytes
// (the WebSocket). Layout: uint32 header length, the JSON header, then each array's bytes
// at an 8-byte aligned offset. Typed arrays in the JSON are replaced by a reference
// { $typed: constructor name, at: byte offset, length: elements }.

const typedArrayConstructors = {
  Uint8Array,
  Int8Array,
  Uint16Array,
  Int16Array,
  Uint32Array,
  Int32Array,
  Float32Array,
  Float64Array,
} as const;
type TypedArrayName = keyof typeof typedArrayConstructors;
type AnyTypedArray = InstanceType<(typeof typedArrayConstructors)[TypedArrayName]>;

interface TypedRef {
  $typed: TypedArrayName;
  at: number;
  length: number;
}

function typedArrayName(value: unknown): TypedArrayName | undefined {
  if (!ArrayBuffer.isView(value) || value instanceof DataView) return undefined;
  const name = value.constructor.name as TypedArrayName;
  return name in typedArrayConstructors ? name : undefined;
}

const align = (n: number) => (n + 7) & ~7;

export function encodeBinaryMessage(message: unknown): Uint8Array {
  const arrays: AnyTypedArray[] = [];
  let bodyBytes = 0;
  const json = JSON.stringify(message, function (this: unknown, key: string, value: unknown) {
    // JSON.stringify has already called toJSON on typed arrays' holders; look at the raw value.
    const raw = (this as Record<string, unknown>)[key];
    const name = typedArrayName(raw);
    if (!name) return value;
    const array = raw as AnyTypedArray;
    const ref: TypedRef = { $typed: name, at: bodyBytes, length: array.length };
    arrays.push(array);
    bodyBytes = align(bodyBytes + array.byteLength);
    return ref;
  });
  const header = new TextEncoder().encode(json);
  const bodyStart = align(4 + header.length);
  const frame = new Uint8Array(bodyStart + bodyBytes);
  new DataView(frame.buffer).setUint32(0, header.length, true);
  frame.set(header, 4);
  let offset = bodyStart;
  for (const array of arrays) {
    frame.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), offset);
    offset = align(offset + array.byteLength);
  }
  return frame;
}

export interface DecodeOptions {
  /**
   * The arrays as views into the frame where they are aligned, rather than copies: for a
   * receiver that owns the frame, never writes it and never transfers an array's buffer (which
   * would take its neighbours with it). A view keeps the whole frame alive as long as it lives;
   * a frame is (nearly) all its message's arrays. The tab takes in a 1 mm brain's result
   * (40 MB of layers) this way: copying them was 138 ms of the task that shows the result.
   */
  readonly views?: boolean;
}

export function decodeBinaryMessage(frame: Uint8Array, options: DecodeOptions = {}): unknown {
  if (frame.byteLength < 4) throw new Error('frame too short');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const headerLength = view.getUint32(0, true);
  if (4 + headerLength > frame.byteLength) throw new Error('frame header overruns the frame');
  const json = new TextDecoder().decode(frame.subarray(4, 4 + headerLength));
  const bodyStart = align(4 + headerLength);
  return JSON.parse(json, (_key, value: unknown) => {
    if (!value || typeof value !== 'object' || !('$typed' in value)) return value;
    const ref = value as TypedRef;
    // Own keys only: a frame naming "constructor" or "__proto__" must not reach Object's.
    if (!Object.hasOwn(typedArrayConstructors, ref.$typed)) throw new Error(`unknown array type ${String(ref.$typed)}`);
    const Ctor = typedArrayConstructors[ref.$typed];
    const start = bodyStart + ref.at;
    const bytes = ref.length * Ctor.BYTES_PER_ELEMENT;
    if (!Number.isInteger(ref.at) || !Number.isInteger(ref.length) || ref.at < 0 || ref.length < 0 || start + bytes > frame.byteLength)
      throw new Error('array reference overruns the frame');
    if (options.views && (frame.byteOffset + start) % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(frame.buffer as ArrayBuffer, frame.byteOffset + start, ref.length);
    // Otherwise a copy in a fresh buffer: aligned, and not pinning the whole frame.
    const copy = new Uint8Array(bytes);
    copy.set(frame.subarray(start, start + bytes));
    return new Ctor(copy.buffer);
  });
}
