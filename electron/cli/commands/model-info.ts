import { parseArgs } from 'node:util';
import { UsageError, type CliCommand } from '../command';
import {
  countParameters,
  discriminatorMacs,
  discriminatorParameters,
  discriminatorPreset,
  generatorPreset,
  generatorSummary,
  loraPlacement,
  WIDTH_PRESETS,
  type GeneratorConfig,
  type WidthPreset,
} from '../../../native-models/e2gan/config';
import { loadBaseModel } from '../../../native-models/e2gan/weights';

const usage = `Usage: e2gan model info [--preset tiny|small|base] [--size N] [--base PATH] [--rank N] [--json]

Prints the E2GAN generator's parameters and MACs (per image), the LoRA parameter budget at the given rank,
and the PatchGAN discriminator's size.
  --preset NAME   width preset (default base); ignored with --base
  --size N        square image size, a multiple of the total stride (default 256)
  --base PATH     read the config from a base model .safetensors instead of a preset
  --rank N        LoRA rank on every eligible layer (default 4)
  --json          machine-readable output`;

function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag}: expected a non-negative integer, got '${value}'`);
  return n;
}

function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(3)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} K`;
  return String(n);
}

const command: CliCommand = {
  path: ['model', 'info'],
  summary: 'E2GAN generator parameters, MACs and LoRA budget',
  usage,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { preset: { type: 'string' }, size: { type: 'string' }, base: { type: 'string' }, rank: { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: false,
    });
    const preset = (values.preset ?? 'base') as WidthPreset;
    if (!WIDTH_PRESETS.includes(preset)) throw new UsageError(`--preset: expected one of ${WIDTH_PRESETS.join(', ')}, got '${preset}'`);
    const rank = positiveInt(values.rank, '--rank', 4);
    let config: GeneratorConfig;
    if (values.base) {
      config = (await loadBaseModel(values.base)).generatorConfig;
      if (values.size !== undefined)
        config = generatorPreset(preset, { ...config, height: positiveInt(values.size, '--size', 256), width: positiveInt(values.size, '--size', 256) });
    } else {
      const size = positiveInt(values.size, '--size', 256);
      config = generatorPreset(preset, { height: size, width: size });
    }
    const summary = generatorSummary(config, loraPlacement(config, rank));
    const dConfig = discriminatorPreset(values.base ? 'base' : preset, { height: config.height, width: config.width });
    const report = {
      config,
      generator: { parameters: summary.parameters, macs: summary.macs, conceptTokenParameters: summary.conceptTokenParameters },
      lora: { rank, layers: summary.loraLayers, parameters: summary.loraParameters, fractionOfGenerator: summary.loraParameters / summary.parameters },
      discriminator: { parameters: countParameters(discriminatorParameters(dConfig)), macs: discriminatorMacs(dConfig) },
    };
    if (values.json) {
      io.out(JSON.stringify(report, null, 2));
      return 0;
    }
    io.out(
      [
        `E2GAN generator ${config.width}x${config.height} (stem ${config.stemChannels}, down [${config.downChannels.join(', ')}], transformer ${config.modelChannels}x${config.heads} heads, ${config.conceptTokens} concept tokens)`,
        `  parameters      ${formatCount(report.generator.parameters)} (${report.generator.parameters})`,
        `  MACs per image  ${formatCount(report.generator.macs)}`,
        `  concept tokens  ${report.generator.conceptTokenParameters} parameters`,
        `LoRA rank ${rank} on ${report.lora.layers} layers: ${formatCount(report.lora.parameters)} parameters (${(100 * report.lora.fractionOfGenerator).toFixed(2)}% of the generator)`,
        `Discriminator (PatchGAN): ${formatCount(report.discriminator.parameters)} parameters, ${formatCount(report.discriminator.macs)} MACs`,
      ].join('\n'),
    );
    return 0;
  },
};

export default command;
