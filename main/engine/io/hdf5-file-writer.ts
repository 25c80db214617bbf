// Writing a small HDF5 file (groups, float datasets and ASCII strings) in HDF5's original
// format: superblock version 0, version-1 object headers, groups as symbol tables (a local
// heap of names, a version-1 B-tree, symbol table nodes), contiguous datasets and, for
// variable-length strings, one global heap collection. This is what the HDF5 library itself
// writes with its earliest format (h5py's libver='earliest'), and what every HDF5 release reads:
// ITK's (so ANTs and Slicer), h5py's and h5wasm's are tested.
//
// Why not h5wasm, which reads our .h5 files: loading it (4 MB of JavaScript with its
// WebAssembly inside, then HDF5's start) cost some 0.45 s of CPU and reserved about 600 MB,
// to write a transform.h5 that is a few hundred bytes of structure around one float array.
// Here the structure is laid out in one buffer and the arrays are written from where they lie.
//
// Field by field, this follows the HDF5 File Format Specification version 2.0 (sections
// II.A superblock, III.A.1 B-trees, III.B symbol table nodes, III.D local heaps, III.E global
// heaps, IV.A object headers and their messages).

import { open } from 'node:fs/promises';
import os from 'node:os';

/** A dataset of floats, stored in the precision of its array, or of ASCII strings (variable length). */
export type Hdf5Dataset = { readonly kind: 'floats'; readonly values: Float32Array | Float64Array } | { readonly kind: 'strings'; readonly values: readonly string[] };
/** A group: its members by name. */
export interface Hdf5Group {
  readonly kind: 'group';
  readonly members: ReadonlyMap<string, Hdf5Group | Hdf5Dataset>;
}

export const hdf5Group = (members: Record<string, Hdf5Group | Hdf5Dataset>): Hdf5Group => ({ kind: 'group', members: new Map(Object.entries(members)) });
export const hdf5Floats = (values: Float32Array | Float64Array): Hdf5Dataset => ({ kind: 'floats', values });
export const hdf5Strings = (...values: string[]): Hdf5Dataset => ({ kind: 'strings', values });

const signature = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** HDF5's undefined address. */
const undefinedAddress = 0xffff_ffff_ffff_ffffn;
/** A local heap's "no free block" (H5HL_FREE_NULL in the library). */
const noFreeBlock = 1;
/** The superblock's B-tree orders: a symbol table node holds up to 2 × 4 entries, a B-tree node up to 2 × 16 children. */
const groupLeafK = 4;
const groupInternalK = 16;
const superblockBytes = 56;
const symbolEntryBytes = 40;
const objectHeaderPrefixBytes = 16;
const symbolNodeBytes = 8 + 2 * groupLeafK * symbolEntryBytes;
const bTreeNodeBytes = 24 + (2 * groupInternalK + 1) * 8 + 2 * groupInternalK * 8;
/** The library reads a global heap collection's first 4 KiB before its header: none is smaller. */
const globalHeapMinBytes = 4096;
/** A variable-length string in a dataset: its length, its collection's address, its index there. */
const vlenReferenceBytes = 16;

const align8 = (n: number) => Math.ceil(n / 8) * 8;

/** Builds the metadata into one buffer at addresses handed out in order. */
class Layout {
  private bytes = Buffer.alloc(4096);
  end = 0;

  allocate(size: number): number {
    const at = this.end;
    this.end = align8(at + size);
    if (this.end > this.bytes.length) {
      const grown = Buffer.alloc(Math.max(this.end, 2 * this.bytes.length));
      this.bytes.copy(grown);
      this.bytes = grown;
    }
    return at;
  }

  u8(at: number, v: number) {
    this.bytes.writeUInt8(v, at);
  }
  u16(at: number, v: number) {
    this.bytes.writeUInt16LE(v, at);
  }
  u32(at: number, v: number) {
    this.bytes.writeUInt32LE(v, at);
  }
  /** An address or a length: 8 bytes. */
  u64(at: number, v: number | bigint) {
    this.bytes.writeBigUInt64LE(BigInt(v), at);
  }
  put(at: number, data: ArrayLike<number>) {
    this.bytes.set(data, at);
  }
  ascii(at: number, text: string) {
    this.bytes.write(text, at, 'latin1');
  }

  metadata(): Buffer {
    return this.bytes.subarray(0, this.end);
  }
}

interface Message {
  readonly type: number;
  /** 1: constant (the datatype and fill value, as the library marks them). */
  readonly flags: number;
  readonly body: Buffer;
}

/** A version-1 object header holding `messages`, each padded to 8 bytes: its address, and where each message's body lies. */
function writeObjectHeader(layout: Layout, messages: readonly Message[]): { at: number; bodies: number[] } {
  const size = messages.reduce((sum, m) => sum + 8 + align8(m.body.length), 0);
  const at = layout.allocate(objectHeaderPrefixBytes + size);
  layout.u8(at, 1); // version
  layout.u16(at + 2, messages.length);
  layout.u32(at + 4, 1); // reference count
  layout.u32(at + 8, size);
  let p = at + objectHeaderPrefixBytes;
  const bodies: number[] = [];
  for (const m of messages) {
    layout.u16(p, m.type);
    layout.u16(p + 2, align8(m.body.length));
    layout.u8(p + 4, m.flags);
    layout.put(p + 8, m.body);
    bodies.push(p + 8);
    p += 8 + align8(m.body.length);
  }
  return { at, bodies };
}

/** Dataspace message (0x0001), version 1: a simple dataspace whose maximum is its size. */
function dataspace(dims: readonly number[]): Message {
  const body = Buffer.alloc(8 + 16 * dims.length);
  body.writeUInt8(1, 0);
  body.writeUInt8(dims.length, 1);
  body.writeUInt8(1, 2); // maximum dimensions present
  dims.forEach((d, i) => {
    body.writeBigUInt64LE(BigInt(d), 8 + 8 * i);
    body.writeBigUInt64LE(BigInt(d), 8 + 8 * (dims.length + i));
  });
  return { type: 0x0001, flags: 0, body };
}

/** Datatype message (0x0003): IEEE little-endian float32 or float64. */
function floatType(bytes: 4 | 8): Message {
  const [exponentBits, mantissaBits, bias] = bytes === 4 ? [8, 23, 127] : [11, 52, 1023];
  const body = Buffer.alloc(20);
  body.writeUInt8(0x11, 0); // class 1 (floating point), version 1
  body.writeUInt8(0x20, 1); // little-endian, no padding, mantissa normalized with an implied leading 1
  body.writeUInt8(8 * bytes - 1, 2); // sign bit position
  body.writeUInt32LE(bytes, 4);
  body.writeUInt16LE(0, 8); // bit offset
  body.writeUInt16LE(8 * bytes, 10); // precision
  body.writeUInt8(mantissaBits, 12); // exponent location
  body.writeUInt8(exponentBits, 13);
  body.writeUInt8(0, 14); // mantissa location
  body.writeUInt8(mantissaBits, 15);
  body.writeUInt32LE(bias, 16);
  return { type: 0x0003, flags: 1, body };
}

/** Datatype message: a variable-length, null-terminated ASCII string (ITK reads its strings so). */
function vlenAsciiType(): Message {
  const body = Buffer.alloc(20);
  body.writeUInt8(0x19, 0); // class 9 (variable length), version 1
  body.writeUInt8(0x01, 1); // a string, null-terminated, ASCII
  body.writeUInt32LE(vlenReferenceBytes, 4);
  // Its base type: one unsigned byte (fixed point, class 0), precision 8.
  body.writeUInt8(0x10, 8);
  body.writeUInt32LE(1, 12);
  body.writeUInt16LE(8, 18);
  return { type: 0x0003, flags: 1, body };
}

/** Fill value message (0x0005), version 2, as the library writes it: allocated late, the default fill. */
function fillValue(writeTime: 0 | 2): Message {
  return { type: 0x0005, flags: 1, body: Buffer.from([2, 2, writeTime, 1, 0, 0, 0, 0]) };
}

/** Data layout message (0x0008), version 3: contiguous storage at `address`. */
function contiguousLayout(address: bigint, size: number): Message {
  const body = Buffer.alloc(18);
  body.writeUInt8(3, 0);
  body.writeUInt8(1, 1);
  body.writeBigUInt64LE(address, 2);
  body.writeBigUInt64LE(BigInt(size), 10);
  return { type: 0x0008, flags: 0, body };
}

/** Where a group's name table and B-tree lie: a symbol table entry's scratch pad carries them. */
interface GroupAddresses {
  readonly header: number;
  readonly bTree: number;
  readonly heap: number;
}

/** Raw data to write after the metadata, at its address. */
interface RawBlock {
  readonly address: number;
  readonly bytes: Uint8Array;
}

/** The strings of every dataset, in one global heap collection. */
class GlobalHeap {
  private readonly objects: Buffer[] = [];
  address = 0;

  /** Adds a string; its index in the collection (from 1). */
  add(text: string): number {
    if (!/^[\x20-\x7e]*$/.test(text)) throw new Error(`HDF5 strings here are printable ASCII; got ${JSON.stringify(text)}`);
    this.objects.push(Buffer.from(text, 'latin1'));
    return this.objects.length;
  }

  get empty() {
    return this.objects.length === 0;
  }

  /** Lays the collection out: header, its objects, and the free space that remains as object 0. */
  write(layout: Layout): void {
    const used = 16 + this.objects.reduce((sum, o) => sum + 16 + align8(o.length), 0);
    const size = Math.max(globalHeapMinBytes, align8(used + 16));
    const at = layout.allocate(size);
    this.address = at;
    layout.ascii(at, 'GCOL');
    layout.u8(at + 4, 1);
    layout.u64(at + 8, size);
    let p = at + 16;
    this.objects.forEach((o, i) => {
      layout.u16(p, i + 1); // index
      // reference count 0, as the library leaves the objects of variable-length data
      layout.u64(p + 8, o.length);
      layout.put(p + 16, o);
      p += 16 + align8(o.length);
    });
    layout.u64(p + 8, size - (p - at)); // object 0: the free space, its own header included
  }
}

/** Byte order, as the library sorts a group's names. */
const byName = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1'));

class FileWriter {
  readonly layout = new Layout();
  readonly heap = new GlobalHeap();
  private readonly raw: { bytes: Uint8Array; place: (address: number) => void }[] = [];
  /** Datasets whose strings wait for the global heap's address. */
  private readonly stringData: { values: readonly string[]; indices: number[]; bytes: Buffer }[] = [];

  group(group: Hdf5Group): GroupAddresses {
    const names = [...group.members.keys()].sort(byName);
    for (const name of names)
      if (!/^[\x20-\x7e]+$/.test(name) || name.includes('/') || name === '.') throw new Error(`not an HDF5 member name here: ${JSON.stringify(name)}`);
    const nodes: string[][] = [];
    for (let i = 0; i < names.length; i += 2 * groupLeafK) nodes.push(names.slice(i, i + 2 * groupLeafK));
    if (nodes.length > 2 * groupInternalK) throw new Error(`an HDF5 group here holds at most ${4 * groupLeafK * groupInternalK} members`);

    const { layout } = this;
    // Its symbol table message (0x0011) points to the B-tree and the heap, filled in below.
    const { at: header, bodies } = writeObjectHeader(layout, [{ type: 0x0011, flags: 0, body: Buffer.alloc(16) }]);
    // The local heap: the empty string at offset 0, then each name, null-terminated, padded to 8.
    const offsets = new Map<string, number>();
    let segment = 8;
    for (const name of names) {
      offsets.set(name, segment);
      segment += align8(name.length + 1);
    }
    const heap = layout.allocate(32 + segment);
    layout.ascii(heap, 'HEAP');
    layout.u64(heap + 8, segment);
    layout.u64(heap + 16, noFreeBlock);
    layout.u64(heap + 24, heap + 32);
    for (const [name, offset] of offsets) layout.ascii(heap + 32 + offset, name);
    // One B-tree leaf: key 0 is the empty name, key i + 1 the last name of node i.
    const bTree = layout.allocate(bTreeNodeBytes);
    layout.ascii(bTree, 'TREE');
    layout.u8(bTree + 4, 0); // group node
    layout.u8(bTree + 5, 0); // leaf
    layout.u16(bTree + 6, nodes.length);
    layout.u64(bTree + 8, undefinedAddress);
    layout.u64(bTree + 16, undefinedAddress);
    layout.u64(bTree + 24, 0);
    const members: [number, string[]][] = nodes.map((node, i) => {
      const at = layout.allocate(symbolNodeBytes);
      layout.u64(bTree + 32 + 16 * i, at);
      layout.u64(bTree + 40 + 16 * i, offsets.get(node[node.length - 1])!);
      return [at, node];
    });
    layout.u64(bodies[0], bTree);
    layout.u64(bodies[0] + 8, heap);

    for (const [at, node] of members) {
      layout.ascii(at, 'SNOD');
      layout.u8(at + 4, 1);
      layout.u16(at + 6, node.length);
      node.forEach((name, j) => {
        const member = group.members.get(name)!;
        const entry = at + 8 + j * symbolEntryBytes;
        layout.u64(entry, offsets.get(name)!);
        if (member.kind === 'group') {
          const sub = this.group(member);
          layout.u64(entry + 8, sub.header);
          layout.u32(entry + 16, 1); // cached: the group's B-tree and heap
          layout.u64(entry + 24, sub.bTree);
          layout.u64(entry + 32, sub.heap);
        } else layout.u64(entry + 8, this.dataset(member));
      });
    }
    return { header, bTree, heap };
  }

  private dataset(dataset: Hdf5Dataset): number {
    const n = dataset.values.length;
    let type: Message;
    let bytes: Uint8Array;
    if (dataset.kind === 'floats') {
      const { values } = dataset;
      type = floatType(values.BYTES_PER_ELEMENT as 4 | 8);
      bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    } else {
      type = vlenAsciiType();
      const entry = { values: dataset.values, indices: dataset.values.map((s) => this.heap.add(s)), bytes: Buffer.alloc(n * vlenReferenceBytes) };
      this.stringData.push(entry);
      bytes = entry.bytes;
    }
    // An empty dataset has no storage: its address stays undefined.
    const storage = contiguousLayout(undefinedAddress, bytes.byteLength);
    const { at, bodies } = writeObjectHeader(this.layout, [dataspace([n]), type, fillValue(dataset.kind === 'floats' ? 2 : 0), storage]);
    // The layout message's address field, 2 bytes into its body, once the metadata's end is known.
    if (n > 0) this.raw.push({ bytes, place: (address) => this.layout.u64(bodies[3] + 2, address) });
    return at;
  }

  /** The metadata, then each dataset's values at 8-byte boundaries after it. */
  finish(root: GroupAddresses): { metadata: Buffer; blocks: RawBlock[] } {
    const { layout } = this;
    if (!this.heap.empty) this.heap.write(layout);
    for (const s of this.stringData)
      s.values.forEach((text, i) => {
        s.bytes.writeUInt32LE(text.length, i * vlenReferenceBytes);
        s.bytes.writeBigUInt64LE(BigInt(this.heap.address), i * vlenReferenceBytes + 4);
        s.bytes.writeUInt32LE(s.indices[i], i * vlenReferenceBytes + 12);
      });
    let end = layout.end;
    const blocks: RawBlock[] = [];
    for (const r of this.raw) {
      r.place(end);
      blocks.push({ address: end, bytes: r.bytes });
      end = align8(end + r.bytes.byteLength);
    }
    const size = blocks.length ? blocks[blocks.length - 1].address + blocks[blocks.length - 1].bytes.byteLength : layout.end;
    // The superblock, now that the root and the end of the file are known.
    layout.put(0, signature);
    layout.u8(13, 8); // size of offsets
    layout.u8(14, 8); // size of lengths
    layout.u16(16, groupLeafK);
    layout.u16(18, groupInternalK);
    layout.u64(24, 0); // base address
    layout.u64(32, undefinedAddress); // no free-space information
    layout.u64(40, size);
    layout.u64(48, undefinedAddress); // no driver information
    const rootEntry = superblockBytes;
    layout.u64(rootEntry + 8, root.header);
    layout.u32(rootEntry + 16, 1);
    layout.u64(rootEntry + 24, root.bTree);
    layout.u64(rootEntry + 32, root.heap);
    return { metadata: layout.metadata(), blocks };
  }
}

/** The file's bytes: its metadata, and its datasets' values at their addresses. */
function layOutHdf5File(root: Hdf5Group): { metadata: Buffer; blocks: RawBlock[] } {
  if (os.endianness() !== 'LE') throw new Error('writing HDF5 files is supported on little-endian machines only');
  const writer = new FileWriter();
  writer.layout.allocate(superblockBytes + symbolEntryBytes);
  return writer.finish(writer.group(root));
}

/** Writes `root` as the HDF5 file `target` (replacing it). */
export async function writeHdf5File(target: string, root: Hdf5Group): Promise<void> {
  const { metadata, blocks } = layOutHdf5File(root);
  const handle = await open(target, 'w');
  try {
    await writeAll(handle, metadata, 0);
    for (const block of blocks) await writeAll(handle, block.bytes, block.address);
  } finally {
    await handle.close();
  }
}

async function writeAll(handle: Awaited<ReturnType<typeof open>>, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.byteLength; ) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.byteLength - done, position + done);
    done += bytesWritten;
  }
}
