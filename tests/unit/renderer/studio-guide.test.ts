/**
 * The guided studio's logic that needs no browser: which built-in effect a prompt asks for, where a newcomer is
 * in the six steps, the quality verdict against the baselines, and keyboard curation with undo.
 */
import { describe, expect, it } from 'vitest';
import type { PairRecord } from '../../../electron/domain/pair-types';
import { listTeachers } from '../../../native-models/teachers/index';
import { currentStep, guideSteps, type GuideFacts } from '../../../renderer/src/lib/guide';
import { qualityVerdict, smooth } from '../../../renderer/src/lib/quality';
import { actionForKey, CurationState } from '../../../renderer/src/lib/state/curation-state.svelte';
import { suggestBuiltinTeacher } from '../../../renderer/src/lib/teacher-suggest';

const builtins = listTeachers().map((t) => ({ kind: 'builtin' as const, id: t.id, name: t.name, description: t.description }));

describe('suggestBuiltinTeacher', () => {
  it.each([
    ['make it look like an old sepia photograph', 'sepia-vintage'],
    ['watercolor painting', 'watercolour'],
    ['make it winter', 'winter-snow'],
    ['turn it into a comic book', 'halftone'],
    ['black and white film', 'bw-film-grain'],
    ['a pencil drawing', 'pencil-sketch'],
    ['8-bit video game', 'pixel-art'],
    ['neon cyberpunk glow', 'neon-edges'],
  ])('“%s” → %s', (prompt, expected) => {
    expect(suggestBuiltinTeacher(prompt, builtins)?.teacherId).toBe(expected);
  });

  it('suggests nothing for an empty prompt or one no effect matches', () => {
    expect(suggestBuiltinTeacher('', builtins)).toBeNull();
    expect(suggestBuiltinTeacher('make it look like', builtins)).toBeNull();
    expect(suggestBuiltinTeacher('quantum bureaucracy', builtins)).toBeNull();
  });

  it('never suggests a diffusion model (those read the prompt)', () => {
    const withModel = [{ kind: 'diffusion' as const, id: 'diffusion:sepia', name: 'sepia', description: 'old sepia' }, ...builtins];
    expect(suggestBuiltinTeacher('old sepia', withModel)?.teacherId).toBe('sepia-vintage');
  });
});

describe('guideSteps', () => {
  const empty: GuideFacts = {
    photos: 0,
    importing: false,
    concept: null,
    pairs: { total: 0, pending: 0, accepted: 0, rejected: 0, generating: false },
    run: null,
    exports: 0,
    sharing: false,
  };

  it('starts a new project at the photos, then walks the six steps in order', () => {
    expect(guideSteps(empty).map((step) => step.title)).toEqual(['Photos', 'Concept & teacher', 'Pairs', 'Train', 'Preview', 'Export / Send']);
    expect(currentStep(guideSteps(empty))).toBe('photos');
    const withPhotos = { ...empty, photos: 9 };
    expect(currentStep(guideSteps(withPhotos))).toBe('concept');
    const withTeacher = { ...withPhotos, concept: { name: 'Sepia', teacherName: 'sepia vintage photo' } };
    expect(currentStep(guideSteps(withTeacher))).toBe('pairs');
    const reviewing = { ...withTeacher, pairs: { total: 9, pending: 4, accepted: 5, rejected: 0, generating: false } };
    const pairsStep = guideSteps(reviewing).find((step) => step.id === 'pairs')!;
    expect(pairsStep.next).toBe('Review 4 pairs: A accepts, R rejects, arrows move.');
    expect(currentStep(guideSteps(reviewing))).toBe('pairs');
    const curated = { ...reviewing, pairs: { total: 9, pending: 0, accepted: 8, rejected: 1, generating: false } };
    expect(currentStep(guideSteps(curated))).toBe('train');
    const trained = { ...curated, run: { id: 1, state: 'done', step: 300, totalSteps: 300, checkpoints: 6 } };
    expect(currentStep(guideSteps(trained))).toBe('preview');
    expect(currentStep(guideSteps({ ...trained, exports: 1 }))).toBe('export');
  });

  it('asks for a teacher when the concept has none', () => {
    const steps = guideSteps({ ...empty, photos: 1, concept: { name: 'x', teacherName: null } });
    expect(currentStep(steps)).toBe('concept');
    expect(steps[1]!.next).toMatch(/Choose the teacher/);
  });
});

describe('quality', () => {
  it('smooths with a debiased moving average and skips gaps', () => {
    for (const value of smooth([1, 1, 1])) expect(value).toBeCloseTo(1, 12);
    const smoothed = smooth([1, null, 0]);
    expect(smoothed[0]).toBeCloseTo(1);
    expect(smoothed[1]).toBeNull();
    expect(smoothed[2]).toBeCloseTo((0.8 * 0.2 * 1) / (1 - 0.64));
  });

  const preview = (heldOutPsnr: number | null) => ({ step: 1, sha256s: [], heldOutPsnr });
  it('says plainly when a run does not beat its baselines', () => {
    const baselines = { identityPsnr: 15, affinePsnr: 20 };
    expect(qualityVerdict({ previews: [preview(14)], baselines }).kind).toBe('below-identity');
    const belowAffine = qualityVerdict({ previews: [preview(22), preview(18)], baselines });
    expect(belowAffine.kind).toBe('below-affine');
    expect(belowAffine.message).toContain('Not better than a colour-curve fit: 18.0 dB');
    expect(qualityVerdict({ previews: [preview(23), preview(null)], baselines }).kind).toBe('beats-baselines');
    expect(qualityVerdict({ previews: [preview(23)], baselines: null }).kind).toBe('unknown');
  });
});

describe('keyboard curation', () => {
  function pair(id: number, status: PairRecord['status'] = 'pending'): PairRecord {
    return {
      id,
      projectId: 1,
      conceptId: 1,
      imageId: id,
      name: `p${id}`,
      inputSha256: 'a',
      targetSha256: 'b',
      status,
      reason: null,
      seed: 0,
      teacher: { kind: 'builtin', id: 'cartoon' },
      inSubset: null,
      createdAt: '',
      updatedAt: '',
    };
  }
  function harness(initial: PairRecord[]) {
    let pairs = initial;
    const calls: string[] = [];
    const state = new CurationState(
      () => pairs,
      async (pairId, status) => {
        calls.push(`${pairId}:${status}`);
        pairs = pairs.map((candidate) => (candidate.id === pairId ? { ...candidate, status } : candidate));
      },
    );
    return { state, calls, pairs: () => pairs };
  }

  it('maps keys to actions and leaves modified keys to the browser', () => {
    expect(actionForKey({ key: 'a' })).toBe('accept');
    expect(actionForKey({ key: 'R' })).toBe('reject');
    expect(actionForKey({ key: 'ArrowRight' })).toBe('next');
    expect(actionForKey({ key: 'z', ctrlKey: true })).toBe('undo');
    expect(actionForKey({ key: 'a', ctrlKey: true })).toBeNull();
    expect(actionForKey({ key: 'q' })).toBeNull();
  });

  it('reviews a batch one key per pair, moving on after each decision, and undoes in reverse', async () => {
    const { state, calls, pairs } = harness([pair(1), pair(2), pair(3)]);
    state.setFilter('pending');
    expect(state.focusedPairId).toBe(1);
    await state.handle('accept');
    expect(state.focusedPairId).toBe(2);
    await state.handle('reject');
    await state.handle('accept');
    expect(calls).toEqual(['1:accepted', '2:rejected', '3:accepted']);
    expect(state.shown).toEqual([]);
    await state.handle('undo');
    // The undone pair is pending again, shown under the filter and focused.
    expect(pairs().find((p) => p.id === 3)!.status).toBe('pending');
    expect(state.focusedPairId).toBe(3);
    await state.handle('undo');
    expect(pairs().find((p) => p.id === 2)!.status).toBe('pending');
    expect(state.canUndo).toBe(true);
  });

  it('moves with the arrows within the filtered list and opens the compare view on the focused pair', async () => {
    const { state } = harness([pair(1, 'accepted'), pair(2), pair(3, 'rejected'), pair(4)]);
    state.setFilter('all');
    expect(state.focusedPairId).toBe(1);
    state.move(1);
    expect(state.focusedPairId).toBe(2);
    state.move(-1);
    state.move(-1);
    expect(state.focusedPairId).toBe(1);
    state.move(1);
    state.setFilter('rejected');
    expect(state.focusedPairId).toBe(3);
    state.move(1);
    expect(state.focusedPairId).toBe(3);
    await state.handle('compare');
    expect(state.comparing).toBe(true);
    await state.handle('close');
    expect(state.comparing).toBe(false);
  });
});
