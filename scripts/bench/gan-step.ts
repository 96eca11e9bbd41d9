/**
 * The trainer's own LoRA GAN step (compileGanStep exactly as trainer.ts compiles it: LSGAN + L1, G and D, Adam,
 * LoRA at the default ranks, EMA of the trained tensors), timed through the compute worker the way trainRun
 * drives it, beside the forward pass of the exported model (LoRA merged, tokens constant) at the same batch.
 */
import { DEFAULT_SETTINGS, resolveRunModels } from '../../native-models/e2gan/trainer';
import { compileGanStep, EMA_DECAY_INPUT, ganStepConfigFor, TOKENS_NAME } from '../../native-models/e2gan/train-step';
import { buildInferenceGraph } from '../../native-models/e2gan/inference';
import { initLoraWeights, mergeLora } from '../../native-models/e2gan/lora';
import { generatorMacs, discriminatorMacs, type WidthPreset } from '../../native-models/e2gan/config';
import { emaDecayAt } from '../../native-models/e2gan/schedule';
import { createTensor, type ComputeClient, type ExecutionProviderName, type OpenSessionOptions, type WireTensor } from '../../native-models/runtime';
import { createRng } from '../../native-models/util/rng';
import { decodeModel } from '../../native-models/onnx';
import { formatProfile, profileStep } from './ort-profile';
import { timeInterleaved, type Timing } from './timing';

export interface GanBenchOptions {
  preset: WidthPreset;
  size: number;
  batch: number;
  iters: number;
  executionProviders: ExecutionProviderName[];
  session: Pick<OpenSessionOptions, 'allowSpinning' | 'intraOpNumThreads'>;
  /** Write an ORT profile of the step (run in this process) under this prefix. */
  profile?: string;
}

export interface GanBenchResult {
  preset: WidthPreset;
  forward: Timing;
  step: Timing;
  /** Each turn's step / forward wall-time ratio (forward and step run in turns). */
  turnRatios: number[];
  /** Provider the step's session opened on. */
  executionProvider: ExecutionProviderName;
  generatorGmacs: number;
  discriminatorGmacs: number;
  stepNodes: number;
  trainableParameters: number;
  lossG: number[];
}

function randomImages(seed: number, shape: number[]): WireTensor {
  const rng = createRng(seed);
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = Math.max(-1, Math.min(1, rng.normal() * 0.5));
  return { dtype: 'float32', dims: shape, data };
}

/**
 * Which part of the GAN step a profiled node belongs to. The builder's node names carry no network scope
 * (`conv_250`, `grad.conv_250.matmul_2119`), so the parts come from the step graph's data flow: a forward node is
 * D's when it reads a discriminator parameter or a D node's output (the losses on D's logits count as D), else
 * G's; `grad.<node>.*` is the backward of <node>'s part; `adam.*` the optimizer. ORT's own nodes (layout
 * reorders) and names it rewrote that match no step node are 'layout/other'.
 */
function ganPartsOf(model: Uint8Array): (name: string) => string {
  const nodes = decodeModel(model).graph.nodes;
  const network = new Map<string, 'D' | 'G'>();
  const producedByD = new Set<string>();
  for (const node of nodes) {
    if (node.name.startsWith('grad.') || node.name.startsWith('adam')) continue;
    const isD = node.inputs.some((input) => input.startsWith('discriminator.') || producedByD.has(input));
    network.set(node.name, isD ? 'D' : 'G');
    if (isD) for (const output of node.outputs) producedByD.add(output);
  }
  return (name) => {
    if (name.startsWith('adam')) return 'adam';
    const backward = name.startsWith('grad.');
    // ORT suffixes nodes it rewrites (`conv_222_nchwc`, `matmul_71/MatmulTransposeFusion/`); a gradient node is
    // named after its forward node.
    const forwardName = (backward ? name.split('.')[1]! : name).replace(/\/.*$/, '').replace(/_nchwc$/, '');
    const net = network.get(forwardName);
    return net ? `${backward ? 'backward' : 'forward'}-${net}` : 'layout/other';
  };
}

export async function benchGanPreset(compute: ComputeClient, o: GanBenchOptions): Promise<GanBenchResult> {
  const settings = { ...DEFAULT_SETTINGS, pairs: '', preset: o.preset, size: o.size, batch: o.batch };
  const models = await resolveRunModels(settings);
  const gc = models.generatorConfig;
  const lora = initLoraWeights(gc, models.placement, settings.seed + 3);
  const imageShape = [o.batch, gc.inChannels, gc.height, gc.width];
  const input = randomImages(1, imageShape);
  const target = randomImages(2, [o.batch, gc.outChannels, gc.height, gc.width]);
  const sessionOptions = { executionProviders: o.executionProviders, ...o.session };

  const inference = buildInferenceGraph(gc, mergeLora(gc, models.generator, models.placement, lora), models.tokens, o.batch);

  const generatorSource = new Map([...models.generator, ...lora]);
  const compiled = compileGanStep(ganStepConfigFor(settings, models), {
    generator: generatorSource,
    discriminator: models.discriminator,
    tokens: models.tokens,
  });
  const moments = new Set(compiled.momentInputs);
  const averages = new Map([...compiled.emaInputs].map(([name, input]) => [input, name]));
  const initial: Record<string, Float32Array> = {};
  for (const binding of compiled.program.state) {
    const name = averages.get(binding.input) ?? binding.input;
    initial[binding.input] = moments.has(name)
      ? new Float32Array(binding.shape.reduce((a, b) => a * b, 1))
      : name === TOKENS_NAME
        ? models.tokens
        : (generatorSource.get(name) ?? models.discriminator.get(name))!;
  }
  const stepOffset: WireTensor = { dtype: 'float32', dims: [], data: new Float32Array([0]) };
  const emaDecay = (step: number): WireTensor => ({ dtype: 'float32', dims: [], data: new Float32Array([emaDecayAt(settings.emaDecay, step)]) });
  if (o.profile) {
    const data = Object.fromEntries(
      Object.entries({ input, target, step_offset: stepOffset, [EMA_DECAY_INPUT]: emaDecay(1) }).map(([name, wire]) => [
        name,
        createTensor('float32', wire.data as Float32Array, wire.dims),
      ]),
    );
    console.log(
      formatProfile(await profileStep(compiled.program, initial, data, `${o.profile}-${o.preset}`, sessionOptions, ganPartsOf(compiled.program.model))),
    );
  }
  const opened = await compute.openSession(inference, sessionOptions);
  const loaded = await compute.loadTrainStep(compiled.program, initial, { ...sessionOptions, keepStateOnDevice: true });
  const lossG: number[] = [];
  let done = 0;
  // Forward and step take turns, so both medians (and each turn's ratio) see the same machine load.
  const { timings, ratios } = await timeInterleaved(
    o.iters,
    {
      forward: async () => {
        await compute.run(opened.sessionId, { input });
      },
      // The body of trainRun's step loop, minus batch sampling and events (the EMA is updated in the graph).
      step: async () => {
        const result = await compute.trainStep(loaded.stateId, { input, target, step_offset: stepOffset, [EMA_DECAY_INPUT]: emaDecay(done + 1) }, 1e-3);
        done += 1;
        lossG.push(result.metrics['loss_g']!);
      },
    },
    ['step', 'forward'],
  );
  await compute.releaseState(loaded.stateId);
  await compute.closeSession(opened.sessionId);
  const { forward, step } = timings;
  return {
    preset: o.preset,
    forward,
    step,
    turnRatios: ratios,
    executionProvider: loaded.executionProvider,
    generatorGmacs: generatorMacs(gc) / 1e9,
    discriminatorGmacs: discriminatorMacs(models.discriminatorConfig) / 1e9,
    stepNodes: decodeModel(compiled.program.model).graph.nodes.length,
    trainableParameters: compiled.generatorTrainables.reduce((n, name) => n + initial[name]!.length, 0),
    lossG,
  };
}
