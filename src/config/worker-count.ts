/**
 * --workers N or MIN:MAX, --min-workers, --max-workers and the scaling thresholds, checked
 * together: a fixed count (with --max-workers as the ceiling of TTIN and `scale`), or an adaptive
 * one between MIN and MAX (MAX 'auto', or absent: the host's CPUs and memory decide).
 */
import { shown, usage } from './checks.js';

/** What --workers says: a count, or a range whose MAX may be left to the host (null). */
export type WorkerCount = { fixed: number } | { min: number; max: number | null };

export function checkWorkerCount(name: string, value: unknown): WorkerCount {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const bad = () =>
    usage(
      `invalid ${name} '${shown(value)}': expected a whole number of 1 or more, or MIN:MAX for an adaptive count (e.g. ${name} 4, ${name} 2:8, ${name} 2:auto)`,
    );
  const range = /^(\d{1,6}):(\d{1,6}|auto)$/.exec(text);
  if (range) {
    const min = Number(range[1]);
    const max = range[2] === 'auto' ? null : Number(range[2]);
    if (min < 1) bad();
    if (max !== null && max < min) usage(`invalid ${name} '${shown(value)}': MAX (${max}) is below MIN (${min}); give MIN:MAX with MIN <= MAX`);
    return { min, max };
  }
  if (!/^\d{1,6}$/.test(text) || Number(text) < 1) bad();
  return { fixed: Number(text) };
}

export interface ScalingGiven {
  count: WorkerCount | undefined;
  minWorkers: number | undefined;
  maxWorkers: number | undefined;
  upElu: number;
  downElu: number;
  upAfter: number;
  upQueue: number;
  downAfter: number;
  cooldown: number;
}

const rules = (g: ScalingGiven) => ({
  upElu: g.upElu,
  downElu: g.downElu,
  upAfter: g.upAfter,
  upQueue: g.upQueue,
  downAfter: g.downAfter,
  cooldown: g.cooldown,
});

/** The configured count: where it starts, the fixed ceiling, and the adaptive settings or null. */
export function workerCount(g: ScalingGiven, defaultCount: () => number, fixedMax: number) {
  // Checked in a fixed count too: a configuration that would flap once made adaptive is wrong now.
  if (g.downElu >= g.upElu)
    usage(`invalid --scale-down-elu '${g.downElu}': it must be below --scale-up-elu (${g.upElu}), or the count would go up and down for the same load`);
  const range = g.count && 'min' in g.count ? g.count : undefined;
  if (range && g.minWorkers !== undefined && g.minWorkers !== range.min)
    usage(`invalid --min-workers '${g.minWorkers}': --workers ${range.min}:${range.max ?? 'auto'} already gives MIN; give one of them`);
  if (range && range.max !== null && g.maxWorkers !== undefined && g.maxWorkers !== range.max)
    usage(`invalid --max-workers '${g.maxWorkers}': --workers ${range.min}:${range.max} already gives MAX; give one of them`);
  const min = range?.min ?? g.minWorkers;
  if (min === undefined) {
    const workers = g.count && 'fixed' in g.count ? g.count.fixed : defaultCount();
    return { workers, maxWorkers: g.maxWorkers ?? fixedMax, scaling: null, scaleRules: rules(g) };
  }
  if (g.count && 'fixed' in g.count)
    usage(`invalid --workers '${g.count.fixed}': --min-workers ${min} makes the count adaptive; give --workers ${min}:MAX instead, or drop --min-workers`);
  const max = range?.max ?? g.maxWorkers ?? null;
  if (max !== null && max < min) usage(`invalid --max-workers '${max}': it is below MIN (${min}); raise it or lower MIN`);
  return { workers: min, maxWorkers: max ?? fixedMax, scaling: { min, max, ...rules(g) }, scaleRules: rules(g) };
}
