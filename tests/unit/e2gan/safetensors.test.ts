import { describe, expect, test } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeSafetensors,
  encodeSafetensors,
  f16TensorFromFloat32,
  readSafetensors,
  tensorFromArray,
  toBigInt64,
  toFloat32,
  writeSafetensors,
} from '../../../native-models/io/safetensors';
import { float16BitsToFloat32, float32ToFloat16Bits } from '../../../native-models/io/float16';

/** A file assembled by hand, independent of our encoder, as the reference implementation lays it out. */
function handMadeFile(header: object, data: Uint8Array): Uint8Array {
  const json = Buffer.from(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors', () => {
  test('decodes a hand-made file with F32 and I64 tensors and metadata', () => {
    const weights = new Float32Array([1.5, -2, 3.25, 0]);
    const ids = new BigInt64Array([7n, -1n]);
    const data = new Uint8Array(32 + 16);
    data.set(new Uint8Array(weights.buffer), 0);
    data.set(new Uint8Array(ids.buffer), 32 - 16);
    const file = handMadeFile(
      {
        w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
        ids: { dtype: 'I64', shape: [2], data_offsets: [16, 32] },
        __metadata__: { format: 'pt' },
      },
      data.subarray(0, 32),
    );
    const decoded = decodeSafetensors(file);
    expect(decoded.metadata).toEqual({ format: 'pt' });
    expect([...toFloat32(decoded.tensors.get('w')!)]).toEqual([1.5, -2, 3.25, 0]);
    expect(decoded.tensors.get('w')!.shape).toEqual([2, 2]);
    expect([...toBigInt64(decoded.tensors.get('ids')!)]).toEqual([7n, -1n]);
  });

  test('encode -> decode round-trips every tensor and aligns the data section to 8 bytes', () => {
    const tensors = {
      'generator.down.0.conv.weight': tensorFromArray([2, 3], new Float32Array([1, 2, 3, 4, 5, 6])),
      step: tensorFromArray([1], new BigInt64Array([123456789012n])),
      mask: tensorFromArray([3], new Uint8Array([1, 0, 1])),
    };
    const bytes = encodeSafetensors(tensors, { kind: 'checkpoint' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const back = decodeSafetensors(bytes);
    expect(back.metadata.kind).toBe('checkpoint');
    expect([...toFloat32(back.tensors.get('generator.down.0.conv.weight')!)]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(toBigInt64(back.tensors.get('step')!)[0]).toBe(123456789012n);
    expect([...back.tensors.get('mask')!.bytes]).toEqual([1, 0, 1]);
    // Deterministic bytes regardless of insertion order.
    const reordered = encodeSafetensors(
      { mask: tensors.mask, step: tensors.step, 'generator.down.0.conv.weight': tensors['generator.down.0.conv.weight'] },
      { kind: 'checkpoint' },
    );
    expect(Buffer.from(reordered).equals(Buffer.from(bytes))).toBe(true);
  });

  test('fp16 conversion matches known bit patterns and rounds to nearest even', () => {
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(-2)).toBe(0xc000);
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00); // rounds up to infinity
    expect(float32ToFloat16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(float32ToFloat16Bits(2 ** -26)).toBe(0x0000);
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie -> even mantissa
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even mantissa (up)
    expect(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(NaN)))).toBe(true);
    expect(float16BitsToFloat32(0x3555)).toBeCloseTo(0.33325195, 7);
    // biome-ignore lint/suspicious/noApproximativeNumericConstant: an arbitrary value with many mantissa bits, not meant as π
    const values = new Float32Array([0.1, -3.14159, 1e-5, 1000]);
    const half = toFloat32(f16TensorFromFloat32([4], values));
    for (let i = 0; i < values.length; i++) expect(Math.abs(half[i]! - values[i]!)).toBeLessThanOrEqual(Math.abs(values[i]!) * 2 ** -11 + 6e-8);
  });

  test('writes atomically and reads back from disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'st-'));
    const path = join(dir, 'delta.safetensors');
    await writeSafetensors(path, { a: tensorFromArray([2], new Float32Array([4, 5])) });
    await writeSafetensors(path, { a: tensorFromArray([2], new Float32Array([6, 7])) });
    expect([...toFloat32((await readSafetensors(path)).tensors.get('a')!)]).toEqual([6, 7]);
    expect(readdirSync(dir)).toEqual(['delta.safetensors']); // no temp files left behind
  });

  describe('malformed files give errors naming the problem', () => {
    const good = () => encodeSafetensors({ a: tensorFromArray([2], new Float32Array([1, 2])), b: tensorFromArray([1], new Float32Array([3])) });
    test.each([
      ['too short', new Uint8Array(4), /too short/],
      [
        'header past end',
        (() => {
          const b = good();
          new DataView(b.buffer).setBigUint64(0, 10_000n, true);
          return b;
        })(),
        /runs past the end/,
      ],
      ['truncated data', good().subarray(0, good().length - 4), /past the .*data section|truncated/],
      ['not json', handMadeFile({}, new Uint8Array()).map((v, i) => (i === 8 ? 0x7b : i === 9 ? 0x7b : v)), /JSON/],
      ['bad dtype', handMadeFile({ a: { dtype: 'F8', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)), /'a'.*unknown dtype "F8"/],
      ['bad shape', handMadeFile({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)), /'a'.*shape/],
      ['size mismatch', handMadeFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)), /'a'.*needs 8 bytes.*span 4/],
      [
        'overlap',
        handMadeFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)),
        /overlaps/,
      ],
      ['gap', handMadeFile({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)), /gap before tensor 'a'/],
      ['trailing bytes', handMadeFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(6)), /2 trailing bytes/],
      ['metadata not strings', handMadeFile({ __metadata__: { n: 3 } }, new Uint8Array()), /__metadata__.n: expected a string/],
    ] as const)('%s', (_label, bytes, message) => {
      expect(() => decodeSafetensors(bytes, 'x.safetensors')).toThrow(message);
    });
    test('the file path is named in the error', async () => {
      const path = join(mkdtempSync(join(tmpdir(), 'st-')), 'broken.safetensors');
      writeFileSync(path, new Uint8Array(3));
      await expect(readSafetensors(path)).rejects.toThrow(/broken\.safetensors: file is 3 bytes/);
    });
  });
});
