/**
 * A state value as one name, "serving.reloading.rolling": what logs, status and labels show.
 * Observers decide on tags and facts (master.facts.ts), never on this name.
 */
import type { StateValue } from 'xstate';

export function stateName(value: StateValue): string {
  if (typeof value === 'string') return value;
  return Object.entries(value)
    .map(([k, v]) => {
      if (typeof v === 'string') return `${k}.${v}`;
      return typeof v === 'object' && v !== null && Object.keys(v).length ? `${k}.${stateName(v)}` : k;
    })
    .join(',');
}
