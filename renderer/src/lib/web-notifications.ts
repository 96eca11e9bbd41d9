/**
 * Browser mode's share of JobAttention: the Web Notifications API when a long job ends while the tab is in the
 * background, and only once the user has granted the permission (asked from a button, never on load). The
 * desktop app does this in its main process with OS notifications and taskbar progress instead.
 */
import type { StudioApi, Unsubscribe } from '../../../electron/api/contract';
import { JobAttention, type AttentionTarget } from '../../../electron/services/job-attention';

/** The parts of the browser this uses, so a test can pass stand-ins. */
export interface BrowserSide {
  hasFocus(): boolean;
  visible(): boolean;
  permission(): NotificationPermission | 'unsupported';
  show(title: string, body: string): void;
}

export const browserSide: BrowserSide = {
  hasFocus: () => document.hasFocus(),
  visible: () => document.visibilityState === 'visible',
  permission: () => (typeof Notification === 'undefined' ? 'unsupported' : Notification.permission),
  show: (title, body) => void new Notification(title, { body }),
};

export function webAttentionTarget(side: BrowserSide): AttentionTarget {
  return {
    isFocused: () => side.visible() && side.hasFocus(),
    // No taskbar here: the status bar already shows the running job's progress.
    setProgress: () => undefined,
    notify: ({ title, body }) => {
      if (side.permission() === 'granted') side.show(title, body);
    },
  };
}

/** Feeds the API's job events to a JobAttention that notifies through the browser. */
export function watchLongJobsInBrowser(api: StudioApi, side: BrowserSide = browserSide): Unsubscribe {
  const attention = new JobAttention(webAttentionTarget(side));
  const unsubscribers = [
    api.events.onJobChanged(({ job }) => attention.jobChanged(job)),
    api.events.onJobProgress((progress) => attention.jobProgress(progress)),
  ];
  return () => unsubscribers.forEach((unsubscribe) => unsubscribe());
}
