/**
 * Curating a batch of pairs by keyboard: a status filter, the focused pair, and an undo stack of the decisions
 * taken here. Accepting or rejecting moves on to the next pair shown, so a batch is reviewed with one key per
 * pair; undo puts the last decided pair back as it was and focuses it again.
 */
import type { PairRecord, PairStatus } from '../../../../electron/domain/pair-types';

export type CurationFilter = 'all' | 'pending' | 'accepted' | 'rejected';
export type UserStatus = 'pending' | 'accepted' | 'rejected';
export type CurationAction = 'accept' | 'reject' | 'undo' | 'next' | 'previous' | 'compare' | 'close';

/** The keys of the curation grid (shown in its help line): one place, so help and handling agree. */
export const CURATION_KEYS: readonly { keys: readonly string[]; action: CurationAction; label: string }[] = [
  { keys: ['a'], action: 'accept', label: 'accept' },
  { keys: ['r', 'x'], action: 'reject', label: 'reject' },
  { keys: ['u', 'z'], action: 'undo', label: 'undo' },
  { keys: ['ArrowRight', 'j'], action: 'next', label: 'next' },
  { keys: ['ArrowLeft', 'k'], action: 'previous', label: 'previous' },
  { keys: [' ', 'f'], action: 'compare', label: 'full-size compare' },
  { keys: ['Escape'], action: 'close', label: 'close' },
];

export function actionForKey(event: { key: string; ctrlKey?: boolean; metaKey?: boolean; altKey?: boolean }): CurationAction | null {
  // Ctrl/Cmd+Z is undo as everywhere; other modified keys belong to the browser.
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'z') return 'undo';
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  return CURATION_KEYS.find((entry) => entry.keys.includes(key))?.action ?? null;
}

export function matchesFilter(status: PairStatus, filter: CurationFilter): boolean {
  if (filter === 'all') return true;
  if (filter === 'rejected') return status === 'rejected' || status === 'guard-rejected';
  return status === filter;
}

export class CurationState {
  filter: CurationFilter = $state('all');
  focusedPairId: number | null = $state(null);
  comparing = $state(false);
  private undoStack: { pairId: number; previous: UserStatus }[] = $state([]);

  constructor(
    private readonly pairs: () => readonly PairRecord[],
    private readonly setStatus: (pairId: number, status: UserStatus) => Promise<void>,
  ) {}

  get shown(): PairRecord[] {
    return this.pairs().filter((pair) => matchesFilter(pair.status, this.filter));
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  get focused(): PairRecord | null {
    return this.shown.find((pair) => pair.id === this.focusedPairId) ?? null;
  }

  focus(pairId: number | null): void {
    this.focusedPairId = pairId;
  }

  setFilter(filter: CurationFilter): void {
    this.filter = filter;
    if (!this.focused) this.focusedPairId = this.shown[0]?.id ?? null;
  }

  move(by: 1 | -1): void {
    const shown = this.shown;
    if (shown.length === 0) return;
    const index = shown.findIndex((pair) => pair.id === this.focusedPairId);
    const next = index === -1 ? (by === 1 ? 0 : shown.length - 1) : Math.min(shown.length - 1, Math.max(0, index + by));
    this.focusedPairId = shown[next]!.id;
  }

  /**
   * Accepts or rejects the focused pair and moves on to the pair that follows it in the list shown. Focus moves
   * before the back end answers, so keys pressed in quick succession each decide the next pair.
   */
  async decide(status: 'accepted' | 'rejected'): Promise<void> {
    const pair = this.focused ?? this.shown[0] ?? null;
    if (!pair) return;
    const shown = this.shown;
    const index = shown.indexOf(pair);
    const after = shown[index + 1] ?? null;
    // At the end of the list: stay on the pair if the filter still shows it, else step back.
    this.focusedPairId = after ? after.id : matchesFilter(status, this.filter) ? pair.id : (shown[index - 1]?.id ?? null);
    if (pair.status === status) return;
    this.undoStack.push({ pairId: pair.id, previous: pair.status === 'guard-rejected' ? 'rejected' : pair.status });
    await this.setStatus(pair.id, status);
  }

  async undo(): Promise<void> {
    const last = this.undoStack.pop();
    if (!last) return;
    await this.setStatus(last.pairId, last.previous);
    if (!matchesFilter(last.previous, this.filter)) this.filter = 'all';
    this.focusedPairId = last.pairId;
  }

  async handle(action: CurationAction): Promise<void> {
    if (action === 'accept') await this.decide('accepted');
    else if (action === 'reject') await this.decide('rejected');
    else if (action === 'undo') await this.undo();
    else if (action === 'next') this.move(1);
    else if (action === 'previous') this.move(-1);
    else if (action === 'compare') this.comparing = this.focused !== null ? !this.comparing : false;
    else this.comparing = false;
  }
}
