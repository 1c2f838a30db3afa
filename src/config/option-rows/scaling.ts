/**
 * The option table's rows for the adaptive worker count (--workers MIN:MAX): its floor, and the
 * thresholds and windows the master decides on (machines/master.scaling.ts).
 */
import { SCALING_DEFAULTS } from '../../../machines/master.scaling.js';
import { checkPositiveInt, checkSeconds, checkWholeNumber, shown, usage } from '../checks.js';
import type { OptionRow, TableKey } from '../option-row.js';

/** A share of the time (event-loop utilisation): above 0, at most 1. */
export function checkShare(name: string, value: unknown): number {
  const n = typeof value === 'string' && /^\s*\d*\.?\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0 || n > 1)
    usage(`invalid ${name} '${shown(value)}': expected a share of the time above 0 and at most 1 (e.g. ${name} 0.8)`);
  return n;
}

const ADAPTIVE = 'with `--workers MIN:MAX`';

export const SCALING_ROWS = {
  minWorkers: {
    flags: '--min-workers <n>',
    type: 'number',
    help: 'the fewest workers: makes the count adaptive, up to --max-workers (same as --workers MIN:MAX)',
    docDefault: 'none (a fixed count)',
    doc: "the fewest workers; giving it makes the count adaptive, up to `--max-workers` or, without it, the host's ceiling: the same as `--workers MIN:MAX`",
    check: checkPositiveInt,
  },
  scaleUpElu: {
    flags: '--scale-up-elu <share>',
    type: 'string',
    default: SCALING_DEFAULTS.upElu,
    help: "adaptive: add a worker when the workers' mean event-loop utilisation stays at or above this",
    doc: `${ADAPTIVE}: a worker is added when the accept queue stays non-empty, or the ready workers' mean event-loop utilisation stays at or above this, for \`--scale-up-after\` (or at once on \`--scale-up-queue\`)`,
    check: checkShare,
    show: (c) => c.scaleRules.upElu,
  },
  scaleDownElu: {
    flags: '--scale-down-elu <share>',
    type: 'string',
    default: SCALING_DEFAULTS.downElu,
    help: 'adaptive: retire workers when the mean utilisation stays at or below this (nothing queued)',
    doc: `${ADAPTIVE}: workers are retired when nothing is queued and the mean utilisation stays at or below this for \`--scale-down-after\`; it must be below \`--scale-up-elu\``,
    check: checkShare,
    show: (c) => c.scaleRules.downElu,
  },
  scaleUpAfter: {
    flags: '--scale-up-after <seconds>',
    type: 'number',
    default: SCALING_DEFAULTS.upAfterMs / 1000,
    help: 'adaptive: how long the load must stay high before a worker is added',
    doc: `${ADAPTIVE}: how long the load must stay high before a worker is added; the next one waits until that one serves and the load stayed high as long again`,
    check: checkSeconds,
    show: (c) => c.scaleRules.upAfter,
  },
  scaleUpQueue: {
    flags: '--scale-up-queue <connections>',
    type: 'number',
    default: SCALING_DEFAULTS.upQueue,
    help: 'adaptive: add a worker at once when this many connections wait in the accept queue (0: off)',
    doc: `${ADAPTIVE}: this many connections waiting in the accept queues at one sample (every 250 ms) add a worker at once, without \`--scale-up-after\`'s window: they are waiting already; 0 turns it off`,
    check: checkWholeNumber,
    show: (c) => c.scaleRules.upQueue,
  },
  scaleDownAfter: {
    flags: '--scale-down-after <seconds>',
    type: 'number',
    default: SCALING_DEFAULTS.downAfterMs / 1000,
    help: 'adaptive: how long the load must stay low before workers are retired',
    doc: `${ADAPTIVE}: how long nothing must be queued and the utilisation stay at or below \`--scale-down-elu\` before the workers the load does not need are retired (gracefully, the usual drain), down to MIN at most; not before \`--scale-cooldown\` either`,
    check: checkSeconds,
    show: (c) => c.scaleRules.downAfter,
  },
  scaleCooldown: {
    flags: '--scale-cooldown <seconds>',
    type: 'number',
    default: SCALING_DEFAULTS.cooldownMs / 1000,
    help: 'adaptive: the least time between a change of the count and a retirement',
    doc: `${ADAPTIVE}: the least time between a change of the count (by the scaler, \`TTIN\`, \`TTOU\` or \`scale\`) and a retirement, so the count cannot flap; with \`--scale-down-after\` below it, the added workers are gone at most this long after the load`,
    check: checkSeconds,
    show: (c) => c.scaleRules.cooldown,
  },
} satisfies Partial<Record<TableKey, OptionRow>>;
