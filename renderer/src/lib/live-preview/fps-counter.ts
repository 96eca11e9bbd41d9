/**
 * Frames per second over a sliding window of recent frame times: a plain average since start would hide a
 * slowdown (e.g. after a heavier checkpoint loads) for a long time.
 */
export class FpsCounter {
  #times: number[] = [];

  constructor(private readonly windowMillis = 1000) {}

  /** Records a finished frame at `now` (ms) and returns the current rate. */
  tick(now: number): number {
    this.#times.push(now);
    while (this.#times.length > 0 && (this.#times[0] ?? now) < now - this.windowMillis) this.#times.shift();
    return this.rate(now);
  }

  rate(now: number): number {
    const recent = this.#times.filter((time) => time >= now - this.windowMillis);
    if (recent.length < 2) return 0;
    const first = recent[0] ?? now;
    const last = recent[recent.length - 1] ?? now;
    return last > first ? ((recent.length - 1) * 1000) / (last - first) : 0;
  }

  reset(): void {
    this.#times = [];
  }
}
