/**
 * When a draining worker ends what is still open itself: early enough before the master's SIGKILL
 * (at the end of the grace it was given) that every client gets its close frame or its clean end
 * and the process exits by itself. The master kills on its tick after the deadline, so the worker
 * keeps a margin: a quarter of the grace, at most a second; half of it is for the clients to
 * answer, then what is left is destroyed.
 */
const MAX_MARGIN_MS = 1000;

export function drainBound(graceMs: number): { endInMs: number; graceMs: number } {
  const margin = Math.min(MAX_MARGIN_MS, Math.floor(graceMs / 4));
  return { endInMs: graceMs - margin, graceMs: Math.floor(margin / 2) };
}
