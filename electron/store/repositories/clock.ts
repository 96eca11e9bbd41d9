/** Timestamps are ISO-8601 UTC strings: sortable as text, readable in the database, JSON-safe. */
export type Clock = () => string;
export const systemClock: Clock = () => new Date().toISOString();
