/**
 * The one float32 -> float16 conversion (io/float16.ts), used by graph constants, safetensors F16 files and the
 * fp16 phone export. Expected bit patterns are IEEE 754 binary16 values worked out by hand (sign | 5-bit
 * exponent biased by 15 | 10-bit mantissa), not produced by the code under test.
 */
import { describe, expect, test } from 'vitest';
import { float16ArrayToFloat32, float16BitsToFloat32, float32ArrayToFloat16, float32ToFloat16Bits } from '../../../native-models/io/float16';
import { GraphBuilder } from '../../../native-models/graph';

describe('float32ToFloat16Bits', () => {
  test.each([
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff], // largest finite half
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -14 - 2 ** -24, 0x03ff], // largest subnormal
    [0.1, 0x2e66], // 0x2e66.6 truncated, remainder below half
    [1 / 3, 0x3555],
  ])('%s -> 0x%s', (value, bits) => {
    expect(float32ToFloat16Bits(value)).toBe(bits);
  });

  test('overflow goes to infinity of the same sign, infinities stay infinite', () => {
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00); // halfway above 65504: rounds to even, i.e. up to Inf
    expect(float32ToFloat16Bits(65519)).toBe(0x7bff); // below halfway: stays finite
    expect(float32ToFloat16Bits(1e9)).toBe(0x7c00);
    expect(float32ToFloat16Bits(-1e9)).toBe(0xfc00);
    expect(float32ToFloat16Bits(Infinity)).toBe(0x7c00);
    expect(float32ToFloat16Bits(-Infinity)).toBe(0xfc00);
    expect(float32ToFloat16Bits(3.4e38)).toBe(0x7c00);
  });

  test('NaN stays NaN (quiet, never infinity), with its sign', () => {
    const positive = float32ToFloat16Bits(NaN);
    expect(positive & 0x7c00).toBe(0x7c00);
    expect(positive & 0x03ff).not.toBe(0);
    expect(positive & 0x0200).toBe(0x0200);
    expect(Number.isNaN(float16BitsToFloat32(positive))).toBe(true);
    // A float32 NaN with only low payload bits set must not collapse to infinity (0x7c00).
    const lowPayload = new Float32Array(new Uint32Array([0xff800001]).buffer)[0]!;
    const negative = float32ToFloat16Bits(lowPayload);
    expect(negative & 0xfc00).toBe(0xfc00);
    expect(negative & 0x03ff).not.toBe(0);
    expect(Number.isNaN(float16BitsToFloat32(negative))).toBe(true);
  });

  test('rounds to nearest, ties to even, in normals and subnormals', () => {
    const ulpAtOne = 2 ** -10;
    expect(float32ToFloat16Bits(1 + ulpAtOne / 2)).toBe(0x3c00); // tie, 0x3c00 is even
    expect(float32ToFloat16Bits(1 + 1.5 * ulpAtOne)).toBe(0x3c02); // tie, 0x3c01 is odd: up to 0x3c02
    expect(float32ToFloat16Bits(1 + ulpAtOne / 2 + 2 ** -20)).toBe(0x3c01); // just above the tie
    expect(float32ToFloat16Bits(1 + ulpAtOne / 2 - 2 ** -20)).toBe(0x3c00); // just below the tie
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0x0000); // half the smallest subnormal: tie to even 0
    expect(float32ToFloat16Bits(3 * 2 ** -25)).toBe(0x0002); // 1.5 subnormal ulps: tie to even 2
    expect(float32ToFloat16Bits(2 ** -25 + 2 ** -30)).toBe(0x0001);
    expect(float32ToFloat16Bits(2 ** -14 - 2 ** -25)).toBe(0x0400); // largest subnormal + half ulp: carries into the smallest normal
    expect(float32ToFloat16Bits(2 - 2 ** -12)).toBe(0x4000); // mantissa carry bumps the exponent
  });

  test('every finite half round-trips through float32 bit for bit', () => {
    const all = new Uint16Array(0x10000).map((_, i) => i);
    const widened = float16ArrayToFloat32(all);
    const back = float32ArrayToFloat16(widened);
    for (let bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) === 0x7c00 && (bits & 0x03ff) !== 0) {
        expect(Number.isNaN(widened[bits]!)).toBe(true);
      } else if (back[bits] !== bits) {
        throw new Error(`0x${bits.toString(16)} -> ${widened[bits]} -> 0x${back[bits]!.toString(16)}`);
      }
    }
  });

  test('graph float16 constants use the same conversion', () => {
    const b = new GraphBuilder();
    const half = b.constant([NaN, 65520, 1 + 2 ** -11], [3], 'float16');
    const stored = new Uint16Array(b.constantData(half)!.rawData!.slice().buffer);
    expect([...stored]).toEqual([float32ToFloat16Bits(NaN), 0x7c00, 0x3c00]);
  });
});
