import type { DType } from '../onnx/types';
import type { Shape } from './shape-inference';

/**
 * A handle to one tensor in a GraphBuilder's graph. Ops take and return Values, never name strings, so a
 * typo cannot silently wire the wrong tensor. `name` is fixed when the value is created (outputs may
 * rename a node output once, before anything reads it).
 */
export class Value {
  constructor(
    readonly id: number,
    public name: string,
    readonly dtype: DType,
    readonly shape: Shape,
    /** The builder that owns this value; mixing values from two builders is an error. */
    readonly owner: object,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    return `${this.name}: ${this.dtype}[${this.shape.join(', ')}]`;
  }
}

export type ValueKind = 'input' | 'initializer' | 'constant' | 'node';

export interface ValueInfo {
  name: string;
  dtype: DType;
  shape: number[];
  kind: ValueKind;
  /** true for parameters declared trainable (graph inputs fed each step). */
  trainable: boolean;
}
