/**
 * The value checkers the option table (./option-table.ts) names. Each takes the option's name as
 * the user knows it (`--timeout`, or `app`) and a value as it arrived (a flag's text, a config
 * file's value), and returns the value or throws one StateforkError naming the option and the
 * expected form. They import nothing of the configuration, so the table and its users can share
 * them without an import cycle.
 */
import { StateforkError } from '../errors.js';

export function usage(message: string): never {
  throw new StateforkError('SF_USAGE', message);
}

/**
 * A value as it arrived, for an error message: a config module may give anything, a Symbol
 * included (which a template literal would throw on instead of naming).
 */
export const shown = (value: unknown): string => (typeof value === 'symbol' ? value.toString() : String(value));

const wholeNumberText = (value: unknown) => (typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value);

export function checkPositiveInt(name: string, value: unknown): number {
  const n = wholeNumberText(value);
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) usage(`invalid ${name} '${shown(value)}': expected a whole number of 1 or more (e.g. ${name} 4)`);
  return n;
}

/** 0 turns the limit off (the recycling limits). */
export function checkWholeNumber(name: string, value: unknown): number {
  const n = wholeNumberText(value);
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    usage(`invalid ${name} '${shown(value)}': expected a whole number, 0 or more; 0 turns it off (e.g. ${name} 1000)`);
  }
  return n;
}

export function checkSeconds(name: string, value: unknown): number {
  const n = typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0)
    usage(`invalid ${name} '${shown(value)}': expected a number of seconds, 0 or more (e.g. ${name} 30)`);
  return n;
}

/** A time that must not be 0 (a timeout that cannot be turned off). */
export function checkPositiveSeconds(name: string, value: unknown): number {
  const n = checkSeconds(name, value);
  if (n <= 0) usage(`invalid ${name} '${shown(value)}': expected a number of seconds above 0 (e.g. ${name} 5)`);
  return n;
}

export function checkNice(name: string, value: unknown): number {
  const n = wholeNumberText(value);
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 19)
    usage(`invalid ${name} '${shown(value)}': expected a nice value from 0 (off) to 19 (e.g. ${name} 10)`);
  return n;
}

export function checkString(name: string, value: unknown): string {
  if (typeof value !== 'string' || !value) usage(`invalid ${name} '${shown(value)}': expected a non-empty string`);
  return value;
}

/**
 * A true/false option (a flag on the command line, a boolean in a config file). The message names
 * the config key: a command line cannot give anything but true.
 */
export const checkBoolean =
  (key: string) =>
  (_name: string, value: unknown): boolean => {
    if (typeof value !== 'boolean') usage(`invalid ${key} '${shown(value)}': expected true or false`);
    return value;
  };

/** One of a fixed list (--log-level). */
export const checkChoice =
  <T extends string>(choices: readonly T[]) =>
  (name: string, value: unknown): T => {
    const found = choices.find((c) => c === value);
    if (found === undefined) usage(`invalid ${name} '${shown(value)}': expected one of ${choices.join(', ')}`);
    return found;
  };
