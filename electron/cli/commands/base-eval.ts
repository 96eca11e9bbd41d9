import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { resolveDataDir } from '../../paths';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import { UsageError, type CliCommand } from '../command';
import { evaluateBase, formatEvalReport, readBaseConfig } from '../../../native-models/e2gan/base-eval';
import { expandResourcesPath, findShippedBase } from '../../../native-models/e2gan/shipped-base';
import { writeFileAtomic } from '../../../native-models/io/atomic-file';
import { numberFlag, providersFlag } from './train';

const usage = `Usage: e2gan base eval [--base PATH] [--fine-tune-steps N] [--size N] [--photos DIRS] [--eval DIRS] [--json FILE]

Per-concept quality of a base model: PSNR/SSIM against the exact teacher target on photos the base never saw,
next to two baselines: the input as output, and a least-squares RGB affine colour map fitted on training photos.
A concept that does not beat the better baseline is flagged. Trained concepts use the base's own tokens;
held-out concepts are first LoRA fine-tuned for --fine-tune-steps steps.
  --base PATH            base .safetensors (default: the shipped base, resources/base-model/base.safetensors)
  --fine-tune-steps N    LoRA steps per held-out concept (default 100; 0 skips them)
  --size N               evaluation resolution (default: the base's training size)
  --photos DIRS          training photo folders (default: the photo corpus, <data folder>/corpus/photos, when
                         it exists, else the ones in base.json)
  --eval DIRS            evaluation photo folders (default: <data folder>/corpus/eval when it exists, else the
                         evaluation split named in base.json); build the corpus with: npm run corpus
  --hold-out IDS         held-out concepts to fine-tune (default: base.json's)
  --json FILE            also write the report as JSON
  --ep CHAIN             execution providers (default cpu)`;

const command: CliCommand = {
  path: ['base', 'eval'],
  summary: 'Per-concept quality of a base model (trained concepts + held-out after a short LoRA fine-tune)',
  usage,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        base: { type: 'string' },
        'fine-tune-steps': { type: 'string' },
        size: { type: 'string' },
        photos: { type: 'string' },
        'hold-out': { type: 'string' },
        json: { type: 'string' },
        ep: { type: 'string' },
        eval: { type: 'string' },
      },
      allowPositionals: false,
    });
    const base = values.base ?? findShippedBase()?.weights;
    if (!base) throw new UsageError('--base PATH is required (this build ships no base model)');
    const size = numberFlag(values.size, '--size', { integer: true, min: 8 });
    const corpus = join(resolveDataDir(), 'corpus');
    const corpusReady = existsSync(join(corpus, 'photos')) && existsSync(join(corpus, 'eval'));
    const photos = values.photos?.split(',') ?? (corpusReady ? [join(corpus, 'photos')] : undefined);
    const evaluation = values.eval?.split(',') ?? (corpusReady && !values.photos ? [join(corpus, 'eval')] : undefined);
    const recorded = photos ?? (await readBaseConfig(base))?.settings.photos ?? [];
    const missing = recorded.map((dir) => expandResourcesPath(dir)).filter((dir) => !existsSync(dir));
    if (missing.length > 0) {
      throw new UsageError(
        `photos not found: ${missing.join(', ')}; build the photo corpus with \`npm run corpus\` (it goes to ${corpus}) or pass --photos DIRS --eval DIRS`,
      );
    }
    const workDir = await mkdtemp(join(tmpdir(), 'e2gan-base-eval-'));
    try {
      const report = await evaluateBase(base, {
        fineTuneSteps: numberFlag(values['fine-tune-steps'], '--fine-tune-steps', { integer: true, min: 0 }) ?? 100,
        ...(size !== undefined ? { size } : {}),
        ...(photos ? { photos } : {}),
        ...(evaluation ? { evaluationSources: evaluation } : {}),
        ...(values['hold-out'] ? { heldOutConcepts: values['hold-out'].split(',') } : {}),
        workDir,
        executionProviders: providersFlag(values.ep),
        onConcept: (kind, s) =>
          io.out(
            `  ${kind.padEnd(8)} ${s.id.padEnd(22)} PSNR ${s.psnr.toFixed(2)} dB  SSIM ${s.ssim.toFixed(3)}  (input as output ${s.identityPsnr.toFixed(2)} dB, colour fit ${s.affinePsnr.toFixed(2)} dB)`,
          ),
      });
      io.out(formatEvalReport(report));
      if (values.json) await writeFileAtomic(values.json, `${JSON.stringify(report, null, 2)}\n`);
      return 0;
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  },
};

export default command;
