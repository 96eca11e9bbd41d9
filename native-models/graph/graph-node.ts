import type { AttributeProto } from '../onnx/types';
import type { Value } from './value';

/** One emitted op. `inputs` may hold null for an omitted optional input (encoded as ''). */
export class GraphNode {
  private readonly attrMap: Map<string, AttributeProto>;

  constructor(
    readonly index: number,
    readonly name: string,
    readonly opType: string,
    readonly domain: string,
    readonly inputs: readonly (Value | null)[],
    readonly outputs: readonly Value[],
    readonly attributes: readonly AttributeProto[],
  ) {
    this.attrMap = new Map(attributes.map((a) => [a.name, a]));
  }

  private get<T extends AttributeProto['type']>(name: string, type: T): Extract<AttributeProto, { type: T }> | undefined {
    const a = this.attrMap.get(name);
    if (a === undefined) return undefined;
    if (a.type !== type) throw new Error(`node ${this.name} (${this.opType}): attribute '${name}' is ${a.type}, expected ${type}`);
    return a as Extract<AttributeProto, { type: T }>;
  }

  int(name: string, fallback: number): number {
    return this.get(name, 'int')?.value ?? fallback;
  }

  float(name: string, fallback: number): number {
    return this.get(name, 'float')?.value ?? fallback;
  }

  string(name: string, fallback: string): string {
    return this.get(name, 'string')?.value ?? fallback;
  }

  ints(name: string, fallback: number[]): number[] {
    return this.get(name, 'ints')?.value ?? fallback;
  }

  floats(name: string, fallback: number[]): number[] {
    return this.get(name, 'floats')?.value ?? fallback;
  }

  /** The i-th input, which the op requires to be present. */
  input(i: number): Value {
    const v = this.inputs[i];
    if (!v) throw new Error(`node ${this.name} (${this.opType}): input ${i} is missing`);
    return v;
  }

  toString(): string {
    return `${this.opType} node '${this.name}'`;
  }
}
