/**
 * Wraps a reload so bursts of change events (an import emits one per file) cause at most one request in flight
 * plus one follow-up, instead of a pile of overlapping requests whose answers can arrive out of order.
 */
export function coalesce(run: () => Promise<unknown>): () => Promise<void> {
  let inFlight: Promise<void> | null = null;
  let again = false;
  const drain = async (): Promise<void> => {
    try {
      do {
        again = false;
        await run();
      } while (again);
    } finally {
      inFlight = null;
    }
  };
  return () => {
    again = true;
    inFlight ??= drain();
    return inFlight;
  };
}
