/**
 * Minimal protobuf wire-format writer and reader: just enough for the ONNX messages we emit and read back.
 * Hand-written rather than generated so the byte layout is fully under our control (deterministic output:
 * fields are always written in ascending field-number order, repeated fields in array order).
 */

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private scratch = new Uint8Array(16);
  private length = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  private varint(value: bigint): void {
    // Negative int64 values are encoded as their 64-bit two's complement (10 bytes), as protobuf requires.
    let v = BigInt.asUintN(64, value);
    let n = 0;
    while (v >= 0x80n) {
      this.scratch[n++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.scratch[n++] = Number(v);
    this.push(this.scratch.slice(0, n));
  }

  private tag(field: number, wire: number): void {
    this.varint(BigInt((field << 3) | wire));
  }

  int(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.varint(BigInt(value));
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.varint(BigInt(value.length));
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, write: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    write(inner);
    return this.bytes(field, inner.finish());
  }

  packedInts(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(BigInt(v));
    return this.bytes(field, inner.finish());
  }

  packedFloats(field: number, values: readonly number[]): this {
    const b = new Uint8Array(values.length * 4);
    const view = new DataView(b.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    return this.bytes(field, b);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }
}

export interface ProtoField {
  field: number;
  wire: number;
  /** varint value (wire 0) */
  int?: bigint;
  /** length-delimited payload (wire 2) or raw fixed bytes (wire 1/5) */
  bytes?: Uint8Array;
}

/** Splits one message into its raw fields; callers interpret them by field number. */
export function readFields(buf: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let pos = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new Error(`protobuf: truncated varint at byte ${pos}`);
      const byte = buf[pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const key = Number(readVarint());
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === WIRE_VARINT) fields.push({ field, wire, int: readVarint() });
    else if (wire === WIRE_LEN) {
      const len = Number(readVarint());
      if (pos + len > buf.length) throw new Error(`protobuf: field ${field} length ${len} overruns buffer`);
      fields.push({ field, wire, bytes: buf.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === WIRE_FIXED32 || wire === WIRE_FIXED64) {
      const len = wire === WIRE_FIXED32 ? 4 : 8;
      fields.push({ field, wire, bytes: buf.subarray(pos, pos + len) });
      pos += len;
    } else throw new Error(`protobuf: unsupported wire type ${wire} for field ${field}`);
  }
  return fields;
}

export function readPackedVarints(bytes: Uint8Array): bigint[] {
  const out: bigint[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = bytes[pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7n;
    }
    out.push(result);
  }
  return out;
}

export function toSigned64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

export function readFloat32(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getFloat32(0, true);
}
