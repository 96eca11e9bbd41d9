import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../native-models/graph';
import { float32ToFloat16Bits } from '../../../native-models/io/float16';
import {
  attr,
  decodeModel,
  encodeModel,
  encodeModelWithExternalData,
  makeGraph,
  makeModel,
  makeNode,
  makeTensor,
  makeValueInfo,
} from '../../../native-models/onnx';
import { runOrt } from './run-ort';

describe('onnx layer (helper + encoder + decoder)', () => {
  it('round-trips every attribute kind, negative int64s, symbolic dims and metadata', () => {
    const node = makeNode('Custom', ['a', ''], ['b'], {
      name: 'n0',
      domain: 'studio.test',
      attributes: [
        attr.ints('z_ints', [-1, 0, 2 ** 40, -(2 ** 40)]),
        attr.float('alpha', 0.25),
        attr.int('axis', -3),
        attr.string('mode', 'reflect'),
        attr.floats('scales', [1, 0.5, -2]),
        attr.strings('names', ['x', 'y']),
        attr.tensor('value', makeTensor('t', 'int64', [2], BigInt64Array.of(-5n, 7n))),
      ],
    });
    expect(node.attributes.map((a) => a.name)).toEqual(['alpha', 'axis', 'mode', 'names', 'scales', 'value', 'z_ints']);
    const graph = makeGraph([node], 'g', [makeValueInfo('a', 'float32', ['batch', 3])], [makeValueInfo('b', 'float16', [2, 'n'])]);
    const model = makeModel(graph, {
      opsetImports: [
        { domain: '', version: 17 },
        { domain: 'studio.test', version: 1 },
      ],
      metadata: { b: '2', a: '1' },
    });
    const decoded = decodeModel(encodeModel(model));
    expect(decoded).toEqual(model);
  });

  it('rejects data that does not match dims and dtype, and duplicate attributes', () => {
    expect(() => makeTensor('w', 'float32', [2, 3], new Float32Array(5))).toThrow(/makeTensor\('w'\): dims \[2, 3\] of float32 need 24 bytes, got 20/);
    expect(() => makeNode('Relu', ['x'], ['y'], { attributes: [attr.int('k', 1), attr.int('k', 2)] })).toThrow(/attribute 'k' given twice/);
    expect(() => attr.int('axis', 1.5)).toThrow(/expected an integer, got 1.5/);
  });

  it('aligns external data offsets and keeps small tensors inline', () => {
    const big = makeTensor('big', 'float32', [300], new Float32Array(300).fill(1));
    const big2 = makeTensor('big2', 'float32', [300], new Float32Array(300).fill(2));
    const small = makeTensor('small', 'float32', [2], Float32Array.of(1, 2));
    const model = makeModel(makeGraph([], 'g', [], [], [big, small, big2]));
    const { model: bytes, weights } = encodeModelWithExternalData(model, { location: 'w.bin', thresholdBytes: 64, alignment: 4096 });
    const inits = decodeModel(bytes).graph.initializers;
    expect(inits.map((t) => t.external ?? null)).toEqual([
      { location: 'w.bin', offset: 0, length: 1200 },
      null,
      { location: 'w.bin', offset: 4096, length: 1200 },
    ]);
    expect(weights.length).toBe(4096 + 1200);
    expect(new Float32Array(weights.buffer.slice(4096, 4096 + 1200))[299]).toBe(2);
  });

  it('float16 tensors and a renamed node output run in onnxruntime', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [3]);
    const half = b.constant([0.5, -2, 65504], [3], 'float16');
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(-2)).toBe(0xc000);
    expect(float32ToFloat16Bits(1e-8)).toBe(0);
    const y = b.add(x, b.cast(half, 'float32'));
    const z = b.mul(y, 2); // y is read by a node and still renamed as an output
    b.output(y, 'sum');
    b.output(z, 'twice');
    const out = await runOrt(b.build(), { x: { data: Float32Array.of(1, 1, 1), dims: [3] } });
    expect(Array.from(out.sum!.data)).toEqual([1.5, -1, 65505]);
    expect(Array.from(out.twice!.data)).toEqual([3, -2, 131010]);
  });
});
