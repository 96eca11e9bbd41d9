/**
 * ORT's profiler over one compiled train step: runs the step three times in this process (the first runs plan,
 * allocate and fault in the arena's pages) and sums the last run's kernel times by op type and by part of the step.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createTensor, openSession, scalar, type Feeds, type OpenSessionOptions, type StepProgram, type Tensor } from '../../native-models/runtime';

export interface StepProfile {
  file: string;
  runMs: number;
  nodes: number;
  byOp: [string, number][];
  byPart: [string, number][];
}

/** Which part of the step a node belongs to, from its builder-scoped name. */
export type PartOf = (nodeName: string) => string;

export async function profileStep(
  program: StepProgram,
  initial: Record<string, Float32Array>,
  data: Record<string, Tensor>,
  prefix: string,
  options: OpenSessionOptions,
  partOf: PartOf,
): Promise<StepProfile> {
  mkdirSync(dirname(prefix), { recursive: true });
  const session = await openSession(program.model, {
    ...options,
    enableProfiling: true,
    profileFilePrefix: prefix,
    optimizedModelFilePath: `${prefix}.optimized.onnx`,
  });
  const feeds: Feeds = { ...data };
  feeds[program.learningRateInput] = scalar('float32', 1e-3);
  feeds[program.stepInput] = scalar('float32', 1);
  for (const s of program.state) {
    const size = s.shape.reduce((a, b) => a * b, 1);
    feeds[s.input] = createTensor('float32', initial[s.input] ? Float32Array.from(initial[s.input]!) : new Float32Array(size), s.shape);
  }
  for (let i = 0; i < 3; i++) await session.run(feeds);
  const file = session.endProfiling(prefix);
  await session.release();
  type Event = { cat: string; name: string; ts: number; dur: number; args?: { op_name?: string } };
  const events = JSON.parse(readFileSync(file, 'utf8')) as Event[];
  const runs = events.filter((e) => e.name === 'model_run');
  const last = runs[runs.length - 1]!;
  const byOp = new Map<string, number>();
  const byPart = new Map<string, number>();
  let nodes = 0;
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || e.ts < last.ts) continue;
    nodes += 1;
    const op = e.args?.op_name ?? '?';
    const ms = e.dur / 1000;
    byOp.set(op, (byOp.get(op) ?? 0) + ms);
    const part = partOf(e.name.replace(/_kernel_time$/, ''));
    byPart.set(part, (byPart.get(part) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>): [string, number][] => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return { file, runMs: last.dur / 1000, nodes, byOp: sorted(byOp), byPart: sorted(byPart) };
}

export function formatProfile(profile: StepProfile, top = 14): string {
  const list = (entries: [string, number][]) =>
    entries
      .slice(0, top)
      .map(([k, ms]) => `${k} ${ms.toFixed(0)}`)
      .join(', ');
  return (
    `profile (${profile.file}): model_run ${profile.runMs.toFixed(0)} ms, ${profile.nodes} kernels\n` +
    `  by part: ${list(profile.byPart)}\n` +
    `  by op:   ${list(profile.byOp)}`
  );
}
