/** Training on top of the graph builder and autodiff: LoRA, optimizers, losses and the train-step compiler. */
export {
  applyLora,
  loraCandidates,
  loraLayerSpecs,
  mergeLoraWeight,
  mergeLoraWeights,
  type LoraGraph,
  type LoraLayer,
  type LoraLayerSpec,
  type LoraOp,
  type LoraOptions,
  type LoraTarget,
} from './lora';
export { DEFAULT_ADAM, emitAdam, globalNorm, type AdamOptions, type AdamState, type AdamUpdate, type ParamGrad } from './optimizers';
export {
  bceDiscriminatorLoss,
  bceGeneratorLoss,
  bceWithLogits,
  ganDiscriminatorLoss,
  ganGeneratorLoss,
  hingeDiscriminatorLoss,
  hingeGeneratorLoss,
  l1Loss,
  lsganDiscriminatorLoss,
  lsganGeneratorLoss,
  mean,
  mseLoss,
  stableSoftplus,
  type GanLossKind,
} from './losses';
export {
  GRAD_NORM_OUTPUT,
  LEARNING_RATE_INPUT,
  LOSS_OUTPUT,
  STEP_INPUT,
  compileTrainStep,
  type CompiledTrainStep,
  type TrainStepDefinition,
} from './compile';
// The runner lives in the runtime (it drives ORT sessions); re-exported so trainers import one module.
export { TrainState, type StepProgram, type StepResult, type TrainStateOptions } from '../runtime/train-state';
