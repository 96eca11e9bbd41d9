/**
 * The shapes of a diffusers ONNX pipeline's models as read from their sessions' metadata: the bottom of
 * diffusion/, imported by the loader that reads them and by pipeline/model-io.ts that feeds the sessions.
 */
export type DiffusionPipelineKind = 'instruct-pix2pix' | 'img2img';
export type FloatDType = 'float32' | 'float16';
export type TimestepDType = 'float32' | 'float16' | 'int64' | 'int32';

/** How the UNet wants its inputs, read from the session's input metadata. */
export interface UnetSignature {
  sampleInput: string;
  timestepInput: string;
  hiddenStatesInput: string;
  outputName: string;
  /** 8 = InstructPix2Pix (noisy latents + image latents), 4 = text-to-image / img2img. */
  inChannels: number;
  /** True when the channel count was inferred from the pipeline class name (to be confirmed by a probe run). */
  inChannelsGuessed: boolean;
  latentChannels: number;
  sampleDtype: FloatDType;
  hiddenStatesDtype: FloatDType;
  timestepDtype: TimestepDType;
  /** 'scalar' = shape [], 'single' = fixed [1], 'batch' = one value per batch row. */
  timestepShape: 'scalar' | 'single' | 'batch';
  /** Fixed batch size when the export has a static batch dimension. */
  fixedBatch: number | undefined;
  /** LCM-distilled UNets take a guidance-scale embedding of this width. */
  timestepCond: { input: string; dim: number; dtype: FloatDType } | undefined;
}

export interface TextEncoderSignature {
  idsInput: string;
  idsDtype: 'int32' | 'int64';
  outputName: string;
  fixedBatch: number | undefined;
}

export interface VaeEncoderSignature {
  input: string;
  inputDtype: FloatDType;
  output: string;
  /** 'sampled' = legacy diffusers export (a sampled latent), 'parameters' = Optimum mean+logvar (we take the mean). */
  latentKind: 'sampled' | 'parameters';
  fixedBatch: number | undefined;
}

export interface VaeDecoderSignature {
  input: string;
  inputDtype: FloatDType;
  output: string;
  fixedBatch: number | undefined;
}

export interface DiffusionModelSignatures {
  kind: DiffusionPipelineKind;
  textEncoder: TextEncoderSignature;
  unet: UnetSignature;
  vaeEncoder: VaeEncoderSignature;
  vaeDecoder: VaeDecoderSignature;
}
