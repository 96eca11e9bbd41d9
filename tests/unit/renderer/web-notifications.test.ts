import { describe, expect, it } from 'vitest';
import type { Job } from '../../../electron/domain/types';
import { JobAttention } from '../../../electron/services/job-attention';
import { webAttentionTarget, type BrowserSide } from '../../../renderer/src/lib/web-notifications';

function side(permission: NotificationPermission | 'unsupported', focused: boolean, visible = true) {
  const shown: string[] = [];
  const fake: BrowserSide = {
    hasFocus: () => focused,
    visible: () => visible,
    permission: () => permission,
    show: (title, body) => void shown.push(`${title}: ${body}`),
  };
  return { fake, shown };
}

const training = {
  id: 1,
  kind: 'train-run',
  projectId: 1,
  state: 'running',
  progress: 0,
  message: null,
  payload: { runId: 3 },
  result: null,
  error: null,
  createdAt: '',
  startedAt: null,
  finishedAt: null,
} as Job;
const finished = { ...training, state: 'done', result: { runId: 3, step: 50, completed: true } } as Job;

describe('browser-mode notifications', () => {
  it('notify through the Web Notifications API only with permission granted and the tab in the background', () => {
    for (const [permission, focused, visible, expected] of [
      ['granted', false, true, 1],
      ['granted', true, false, 1],
      ['granted', true, true, 0],
      ['default', false, true, 0],
      ['denied', false, true, 0],
      ['unsupported', false, true, 0],
    ] as const) {
      const { fake, shown } = side(permission, focused, visible);
      const attention = new JobAttention(webAttentionTarget(fake));
      attention.jobChanged(training);
      attention.jobChanged(finished);
      expect(shown, `${permission} focused=${focused} visible=${visible}`).toHaveLength(expected);
      if (expected) expect(shown[0]).toBe('Training finished: Run #3 finished all 50 steps: its previews and export are ready.');
    }
  });
});
