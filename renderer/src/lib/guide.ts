/**
 * The guided flow: Photos → Concept & teacher → Pairs → Train → Preview → Export / Send. Each step says whether
 * it is done, what it holds so far, and the one next action; the first step not done is where a newcomer goes.
 */
export const GUIDE_STEPS = ['photos', 'concept', 'pairs', 'train', 'preview', 'export'] as const;
export type GuideStepId = (typeof GUIDE_STEPS)[number];

export interface GuideFacts {
  photos: number;
  importing: boolean;
  concept: { name: string; teacherName: string | null } | null;
  pairs: { total: number; pending: number; accepted: number; rejected: number; generating: boolean };
  run: { id: number; state: string; step: number; totalSteps: number; checkpoints: number } | null;
  exports: number;
  sharing: boolean;
}

export interface GuideStep {
  id: GuideStepId;
  number: number;
  title: string;
  done: boolean;
  /** What the step holds so far, in a few words. */
  summary: string;
  /** The next thing to do in this step. */
  next: string;
}

const TITLES: Record<GuideStepId, string> = {
  photos: 'Photos',
  concept: 'Concept & teacher',
  pairs: 'Pairs',
  train: 'Train',
  preview: 'Preview',
  export: 'Export / Send',
};

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

export function guideSteps(facts: GuideFacts): GuideStep[] {
  const { photos, concept, pairs, run } = facts;
  const trained = run !== null && run.state === 'done';
  const training = run !== null && (run.state === 'queued' || run.state === 'running');
  const step = (id: GuideStepId, done: boolean, summary: string, next: string): GuideStep => ({
    id,
    number: GUIDE_STEPS.indexOf(id) + 1,
    title: TITLES[id],
    done,
    summary,
    next,
  });
  return [
    step(
      'photos',
      photos > 0,
      facts.importing ? 'importing…' : photos > 0 ? plural(photos, 'photo') : 'none yet',
      photos > 0 ? 'Add more photos, or go on to the concept.' : 'Drop photos or folders here, or try the sample photos.',
    ),
    step(
      'concept',
      concept !== null && concept.teacherName !== null,
      concept ? `${concept.name}${concept.teacherName ? ` · ${concept.teacherName}` : ''}` : 'none yet',
      concept === null
        ? 'Create a concept: a name, the edit you want, and the teacher that makes it.'
        : concept.teacherName === null
          ? 'Choose the teacher that makes the “after” images.'
          : 'Go on to make pairs.',
    ),
    step(
      'pairs',
      pairs.accepted > 0 && pairs.pending === 0,
      pairs.generating ? 'generating…' : pairs.total === 0 ? 'none yet' : `${pairs.accepted} accepted · ${pairs.pending} to review`,
      pairs.generating
        ? 'Pairs appear as they are made; start reviewing them.'
        : pairs.total === 0
          ? 'Generate before/after pairs from the chosen photos.'
          : pairs.pending > 0
            ? `Review ${plural(pairs.pending, 'pair')}: A accepts, R rejects, arrows move.`
            : pairs.accepted === 0
              ? 'Every pair is rejected: regenerate some or make new ones.'
              : 'Go on to training.',
    ),
    step(
      'train',
      trained,
      run === null ? 'not started' : `run #${run.id} · ${run.state} · step ${run.step}/${run.totalSteps}`,
      run === null
        ? 'Pick a preset and start training.'
        : training
          ? 'Training: watch the quality chart; previews arrive as it goes.'
          : trained
            ? 'Done: check the previews.'
            : `The run is ${run.state}: resume it or start a new one.`,
    ),
    step(
      'preview',
      trained && facts.exports > 0,
      run !== null && run.checkpoints > 0 ? `checkpoint at step ${run.step}` : 'after the first checkpoint',
      run !== null && run.checkpoints > 0 ? 'Compare the previews with the teacher and try the live preview.' : 'Train first: previews come with checkpoints.',
    ),
    step(
      'export',
      facts.exports > 0,
      facts.sharing ? 'sharing to a phone' : facts.exports > 0 ? plural(facts.exports, 'export') : 'none yet',
      facts.exports > 0 ? 'Send a bundle to your phone to try it on the camera.' : trained ? 'Export a bundle for phones.' : 'Finish a training run first.',
    ),
  ];
}

/** Where a newcomer should be: the first step not done (the last one when all are). */
export function currentStep(steps: readonly GuideStep[]): GuideStepId {
  return (steps.find((candidate) => !candidate.done) ?? steps[steps.length - 1]!).id;
}
