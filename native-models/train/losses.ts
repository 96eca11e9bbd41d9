/**
 * Loss functions emitted into the graph. Each returns a float32 scalar (mean over all elements) so a
 * weighted sum of losses is still a scalar the autodiff can seed with 1.
 *
 * GAN losses take discriminator logits. Generator losses see only the fake logits; discriminator losses
 * see both. Softplus is written in its overflow-safe form relu(x) + log(1 + exp(-|x|)) (ONNX Softplus
 * computes log(exp(x) + 1), which overflows to inf in float32 for x > ~88).
 */
import type { GraphBuilder, Value } from '../graph';

function sameShape(where: string, a: Value, b: Value): void {
  if (a.shape.join(',') !== b.shape.join(',')) {
    throw new Error(`${where}: prediction [${a.shape.join(', ')}] and target [${b.shape.join(', ')}] must have the same shape`);
  }
}

export function mean(b: GraphBuilder, x: Value): Value {
  return b.reduceMean(x, undefined, false);
}

export function l1Loss(b: GraphBuilder, prediction: Value, target: Value): Value {
  sameShape('l1Loss', prediction, target);
  return mean(b, b.abs(b.sub(prediction, target)));
}

export function mseLoss(b: GraphBuilder, prediction: Value, target: Value): Value {
  sameShape('mseLoss', prediction, target);
  const d = b.sub(prediction, target);
  return mean(b, b.mul(d, d));
}

/** log(1 + exp(x)) without overflow. */
export function stableSoftplus(b: GraphBuilder, x: Value): Value {
  return b.add(b.relu(x), b.log(b.add(b.exp(b.neg(b.abs(x))), 1)));
}

/** Mean binary cross-entropy of sigmoid(logits) against targets in [0, 1]. */
export function bceWithLogits(b: GraphBuilder, logits: Value, target: Value): Value {
  sameShape('bceWithLogits', logits, target);
  // softplus(x) - x·t == -[t·log σ(x) + (1-t)·log(1-σ(x))]
  return mean(b, b.sub(stableSoftplus(b, logits), b.mul(logits, target)));
}

export type GanLossKind = 'lsgan' | 'hinge' | 'bce';

/** LSGAN: D = ½(mean((real-1)²) + mean(fake²)); G = mean((fake-1)²). */
export function lsganDiscriminatorLoss(b: GraphBuilder, realLogits: Value, fakeLogits: Value): Value {
  const realTerm = mean(b, b.mul(b.sub(realLogits, 1), b.sub(realLogits, 1)));
  const fakeTerm = mean(b, b.mul(fakeLogits, fakeLogits));
  return b.mul(b.add(realTerm, fakeTerm), 0.5);
}

export function lsganGeneratorLoss(b: GraphBuilder, fakeLogits: Value): Value {
  const d = b.sub(fakeLogits, 1);
  return mean(b, b.mul(d, d));
}

/** Hinge: D = mean(relu(1 - real)) + mean(relu(1 + fake)); G = -mean(fake). */
export function hingeDiscriminatorLoss(b: GraphBuilder, realLogits: Value, fakeLogits: Value): Value {
  return b.add(mean(b, b.relu(b.sub(1, realLogits))), mean(b, b.relu(b.add(fakeLogits, 1))));
}

export function hingeGeneratorLoss(b: GraphBuilder, fakeLogits: Value): Value {
  return b.neg(mean(b, fakeLogits));
}

/** Non-saturating BCE: D = mean(softplus(-real)) + mean(softplus(fake)); G = mean(softplus(-fake)). */
export function bceDiscriminatorLoss(b: GraphBuilder, realLogits: Value, fakeLogits: Value): Value {
  return b.add(mean(b, stableSoftplus(b, b.neg(realLogits))), mean(b, stableSoftplus(b, fakeLogits)));
}

export function bceGeneratorLoss(b: GraphBuilder, fakeLogits: Value): Value {
  return mean(b, stableSoftplus(b, b.neg(fakeLogits)));
}

export function ganGeneratorLoss(b: GraphBuilder, kind: GanLossKind, fakeLogits: Value): Value {
  switch (kind) {
    case 'lsgan':
      return lsganGeneratorLoss(b, fakeLogits);
    case 'hinge':
      return hingeGeneratorLoss(b, fakeLogits);
    case 'bce':
      return bceGeneratorLoss(b, fakeLogits);
  }
}

export function ganDiscriminatorLoss(b: GraphBuilder, kind: GanLossKind, realLogits: Value, fakeLogits: Value): Value {
  switch (kind) {
    case 'lsgan':
      return lsganDiscriminatorLoss(b, realLogits, fakeLogits);
    case 'hinge':
      return hingeDiscriminatorLoss(b, realLogits, fakeLogits);
    case 'bce':
      return bceDiscriminatorLoss(b, realLogits, fakeLogits);
  }
}
