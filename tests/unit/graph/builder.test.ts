import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, ShapeError, graphHash } from '../../../native-models/graph';
import { decodeModel } from '../../../native-models/onnx';
import { maxAbsDiff, randomArray, runOrt } from './run-ort';

/** x[2,3] @ w[3,4] + b[4] -> relu, in plain JS. */
function denseReluJs(x: Float32Array, w: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(8);
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 4; j++) {
      let s = b[j]!;
      for (let k = 0; k < 3; k++) s += x[i * 3 + k]! * w[k * 4 + j]!;
      out[i * 4 + j] = Math.max(0, s);
    }
  }
  return out;
}

function denseModel(): { b: GraphBuilder; w: Float32Array; bias: Float32Array } {
  const b = new GraphBuilder('dense');
  const w = randomArray(12, 1);
  const bias = randomArray(4, 2);
  const x = b.input('x', 'float32', [2, 3]);
  const y = b.scope('net.fc', () => {
    const weight = b.parameter('weight', w, [3, 4], { trainable: false });
    const bb = b.parameter('bias', bias, [4], { trainable: true });
    return b.relu(b.add(b.matmul(x, weight), bb));
  });
  b.output(y, 'y');
  return { b, w, bias };
}

describe('GraphBuilder', () => {
  it('builds a model that onnxruntime runs with the same result as plain JS', async () => {
    const { b, w, bias } = denseModel();
    const x = randomArray(6, 3);
    const out = await runOrt(b.build(), { x: { data: x, dims: [2, 3] }, 'net.fc.bias': { data: bias, dims: [4] } });
    expect(out.y!.dims).toEqual([2, 4]);
    expect(maxAbsDiff(out.y!.data, denseReluJs(x, w, bias))).toBeLessThan(1e-6);
  });

  it('scopes names, keeps frozen weights as initializers and trainables as inputs', () => {
    const { b } = denseModel();
    const model = decodeModel(b.build());
    expect(model.opsetImports).toEqual([{ domain: '', version: 17 }]);
    expect(model.graph.inputs.map((i) => i.name)).toEqual(['x', 'net.fc.bias']);
    expect(model.graph.initializers.map((t) => t.name)).toContain('net.fc.weight');
    expect(model.graph.outputs).toEqual([{ name: 'y', dtype: 'float32', shape: [2, 4] }]);
    expect(b.trainables().map((v) => v.name)).toEqual(['net.fc.bias']);
    expect(model.graph.nodes.map((n) => n.opType)).toEqual(['MatMul', 'Add', 'Relu']);
    expect(model.graph.nodes[0]!.name.startsWith('net.fc.')).toBe(true);
  });

  it('encodes deterministically and round-trips through the decoder', () => {
    const bytes1 = denseModel().b.build();
    const bytes2 = denseModel().b.build();
    expect(graphHash(bytes1)).toBe(graphHash(bytes2));
    expect(graphHash(bytes1)).toMatch(/^[0-9a-f]{64}$/);
    const m = decodeModel(bytes1);
    const conv = new GraphBuilder('c');
    const x = conv.input('x', 'float32', [1, 2, 5, 5]);
    const wv = conv.initializer('w', randomArray(2 * 2 * 9, 4), [2, 2, 3, 3]);
    conv.output(conv.conv(x, wv, null, { strides: 2, pads: 1 }), 'y');
    const node = decodeModel(conv.build()).graph.nodes[0]!;
    // Attributes come out sorted by name, with explicit defaults so autodiff never guesses them.
    expect(node.attributes.map((a) => a.name)).toEqual(['dilations', 'group', 'kernel_shape', 'pads', 'strides']);
    expect(node.attributes.find((a) => a.name === 'pads')).toEqual({ name: 'pads', type: 'ints', value: [1, 1, 1, 1] });
    expect(m.graph.initializers[0]!.rawData!.length).toBe(48);
  });

  it('infers shapes and reports mismatches naming the op and shapes', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [1, 3, 8, 8]);
    const w = b.initializer('w', randomArray(4 * 3 * 9, 5), [4, 3, 3, 3]);
    const y = b.conv(x, w, null, { strides: 2, pads: 1 });
    expect(y.shape).toEqual([1, 4, 4, 4]);
    expect(b.resize(y, { scales: [1, 1, 2, 2], mode: 'linear' }).shape).toEqual([1, 4, 8, 8]);
    expect(b.depthToSpace(y, 2).shape).toEqual([1, 1, 8, 8]);
    expect(b.slice(x, { starts: [1, -3], ends: [3, 1000], axes: [1, 3] }).shape).toEqual([1, 2, 8, 3]);
    expect(b.slice(x, { starts: [-1], ends: [-1000], axes: [2], steps: [-2] }).shape).toEqual([1, 3, 4, 8]);
    expect(b.reduceMean(x, [2, 3], false).shape).toEqual([1, 3]);
    expect(b.split(x, [1, 2], 1).map((v) => v.shape[1])).toEqual([1, 2]);
    expect(b.reshape(x, [0, -1]).shape).toEqual([1, 192]);
    expect(b.gather(x, [0, 2], 1).shape).toEqual([1, 2, 8, 8]);
    expect(() => b.add(x, b.input('z', 'float32', [2, 8]))).toThrow(/Add .*cannot broadcast shapes \[1, 3, 8, 8\] and \[2, 8\]/);
    expect(() => b.conv(x, b.initializer('bad', randomArray(4 * 2 * 9, 6), [4, 2, 3, 3]))).toThrow(ShapeError);
    expect(() => b.matmul(b.input('m', 'float32', [2, 3]), b.input('n', 'float32', [4, 5]))).toThrow(/MatMul .*inner dimensions differ: \[2, 3\] x \[4, 5\]/);
    expect(() => b.input('x', 'float32', [1])).toThrow(/'x' is already used/);
  });

  it('writes large initializers to an external weights file that onnxruntime loads', async () => {
    const { b, w, bias } = denseModel();
    const { model, weights } = b.buildWithExternalData('dense.onnx.data', { thresholdBytes: 16 });
    const decoded = decodeModel(model);
    const weight = decoded.graph.initializers.find((t) => t.name === 'net.fc.weight')!;
    expect(weight.external).toEqual({ location: 'dense.onnx.data', offset: 0, length: 48 });
    expect(weight.rawData).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), 'graph-ext-'));
    try {
      writeFileSync(join(dir, 'dense.onnx'), model);
      writeFileSync(join(dir, 'dense.onnx.data'), weights);
      const x = randomArray(6, 7);
      const out = await runOrt(join(dir, 'dense.onnx'), { x: { data: x, dims: [2, 3] }, 'net.fc.bias': { data: bias, dims: [4] } });
      expect(maxAbsDiff(out.y!.data, denseReluJs(x, w, bias))).toBeLessThan(1e-6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs the opset-17 decompositions (gelu, groupNorm) and shape ops in onnxruntime', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [1, 4, 2, 3]);
    const scale = b.constant([1, 2, 3, 4], [4]);
    const bias = b.constant([0, 1, 0, -1], [4]);
    b.output(b.gelu(x), 'gelu');
    b.output(b.groupNorm(x, scale, bias, 2, 1e-5), 'gn');
    b.output(b.where(b.greater(x, 0), x, b.neg(x)), 'abs');
    b.output(b.clip(x, -0.5, 0.25), 'clip');
    const xs = randomArray(24, 8, -2, 2);
    const out = await runOrt(b.build(), { x: { data: xs, dims: [1, 4, 2, 3] } });
    const erf = (v: number) => {
      // Abramowitz-Stegun 7.1.26 (|err| < 1.5e-7) is plenty for a 1e-5 check.
      const t = 1 / (1 + 0.3275911 * Math.abs(v));
      const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-v * v);
      return v >= 0 ? y : -y;
    };
    expect(
      maxAbsDiff(
        out.gelu!.data,
        Array.from(xs, (v) => 0.5 * v * (1 + erf(v / Math.SQRT2))),
      ),
    ).toBeLessThan(1e-5);
    expect(maxAbsDiff(out.abs!.data, Array.from(xs, Math.abs))).toBe(0);
    expect(
      maxAbsDiff(
        out.clip!.data,
        Array.from(xs, (v) => Math.min(0.25, Math.max(-0.5, v))),
      ),
    ).toBe(0);
    const gn = new Float32Array(24);
    for (let g = 0; g < 2; g++) {
      const part = Array.from(xs.subarray(g * 12, g * 12 + 12));
      const mean = part.reduce((p, q) => p + q, 0) / 12;
      const variance = part.reduce((p, q) => p + (q - mean) ** 2, 0) / 12;
      for (let i = 0; i < 12; i++) {
        const c = g * 2 + Math.floor(i / 6);
        gn[g * 12 + i] = ((part[i]! - mean) / Math.sqrt(variance + 1e-5)) * [1, 2, 3, 4][c]! + [0, 1, 0, -1][c]!;
      }
    }
    expect(maxAbsDiff(out.gn!.data, gn)).toBeLessThan(1e-5);
  });
});
