/**
 * JobAttention's target in the app: the taskbar / dock progress of the main window and OS notifications.
 * Takes the Electron pieces as arguments (type-only import) so a test can hand it recording stand-ins.
 */
import type { BrowserWindow, Notification, NotificationConstructorOptions } from 'electron';
import type { AttentionTarget } from '../services/job-attention';

type WindowPart = Pick<BrowserWindow, 'isDestroyed' | 'isFocused' | 'isMinimized' | 'isVisible' | 'setProgressBar' | 'show' | 'restore' | 'focus'>;
interface NotificationClass {
  new (options: NotificationConstructorOptions): Pick<Notification, 'on' | 'show'>;
  isSupported(): boolean;
}

/** Electron's setProgressBar: a value above 1 is its indeterminate form; -1 removes the bar. */
const INDETERMINATE = 2;
const REMOVE = -1;

export function electronAttentionTarget(getWindow: () => WindowPart | undefined, NotificationType: NotificationClass): AttentionTarget {
  const live = () => {
    const window = getWindow();
    return window && !window.isDestroyed() ? window : undefined;
  };
  return {
    isFocused: () => {
      const window = live();
      return window?.isVisible() === true && !window.isMinimized() && window.isFocused();
    },
    setProgress: (progress) => {
      const window = live();
      if (!window) return;
      if (progress.mode === 'none') window.setProgressBar(REMOVE, { mode: 'none' });
      else if (progress.mode === 'indeterminate') window.setProgressBar(INDETERMINATE, { mode: 'indeterminate' });
      else window.setProgressBar(progress.fraction, { mode: 'normal' });
    },
    notify: ({ title, body }) => {
      if (!NotificationType.isSupported()) return;
      const notification = new NotificationType({ title, body });
      // Clicking it brings the app back to where the user left it.
      notification.on('click', () => {
        const window = live();
        if (!window) return;
        if (window.isMinimized()) window.restore();
        window.show();
        window.focus();
      });
      notification.show();
    },
  };
}
