/**
 * The worker's logger: one JSON record a line, in pino's shape ({"level":30,"time":…,<base>,
 * <fields>,"msg":…}, errors as {type, message, stack, …}), written synchronously through a
 * function. pino itself loads worker_threads, assert, os, sonic-boom and its transport machinery
 * when it is imported: measured on Node 24, 3.8 MiB of RSS and 25 ms in every worker for a
 * process whose records are only ever written to a pipe or a file. The master keeps pino
 * (src/log.ts), and reads these records as it reads its own. Both loggers fit `Logger` below.
 */

/** pino's level numbers: what the master, the relay and `--log-level` agree on. */
export const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity } as const;
export type LevelName = keyof typeof LEVELS;

/** A record: fields and a message, or a message alone, or an error. */
export type LogFn = (fieldsOrMessage: unknown, message?: string) => void;

/** What statefork's code needs of a logger; pino's loggers have it too. */
export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  isLevelEnabled(level: string): boolean;
}

const isError = (v: unknown): v is Error => v instanceof Error;

/** The messages of an error and its causes, as one "outer: inner" line; a cycle ends in ": ...". */
function messageWithCauses(err: Error, seen = new Set<Error>()): string {
  if (seen.has(err)) return `${err.message}: ...`;
  seen.add(err);
  return isError(err.cause) ? `${err.message}: ${messageWithCauses(err.cause, seen)}` : err.message;
}

/** The stacks of an error and its causes, each after "caused by: ". */
function stackWithCauses(err: Error, seen = new Set<Error>()): string {
  const stack = err.stack ?? '';
  if (seen.has(err)) return `${stack}\ncauses have become circular...`;
  seen.add(err);
  return isError(err.cause) ? `${stack}\ncaused by: ${stackWithCauses(err.cause, seen)}` : stack;
}

/**
 * An error as pino's standard serializer writes it (so that tools reading both logs find the
 * same fields): its type, its message and stack with those of its causes folded in, the errors
 * of an AggregateError, and its other enumerable fields (an error among them serialized too).
 */
export function serializeError(err: Error, seen = new Set<Error>()): Record<string, unknown> {
  seen.add(err);
  const out: Record<string, unknown> = {
    type: typeof err.constructor === 'function' ? err.constructor.name : err.name,
    message: messageWithCauses(err),
    stack: stackWithCauses(err),
  };
  if (Array.isArray((err as AggregateError).errors))
    out.aggregateErrors = (err as AggregateError).errors.map((e: unknown) => (isError(e) && !seen.has(e) ? serializeError(e, seen) : e));
  for (const key in err) {
    if (out[key] !== undefined) continue;
    const value = (err as unknown as Record<string, unknown>)[key];
    if (!isError(value)) out[key] = value;
    // Causes are in the message and stack already.
    else if (key !== 'cause' && !seen.has(value)) out[key] = serializeError(value, seen);
  }
  return out;
}

/** JSON that never throws: a cycle is "[Circular]", a BigInt its digits, an error serialized. */
export function safeJson(value: unknown): string {
  // The objects on the path from the root to the value being written (an error by what it was
  // written as, and what it was: both may be met again further down).
  const ancestors: unknown[] = [];
  const errorOf = new WeakMap<object, Error>();
  return JSON.stringify(value, function (this: object, _key, v: unknown) {
    if (typeof v === 'bigint') return v.toString();
    if (typeof v !== 'object' || v === null) return v;
    // `this` is the object holding v: drop the ancestors that are no longer on the path.
    while (ancestors.length > 0 && ancestors.at(-1) !== this) ancestors.pop();
    if (ancestors.some((a) => a === v || errorOf.get(a as object) === v)) return '[Circular]';
    const out = v instanceof Error ? serializeError(v) : v;
    if (v instanceof Error) errorOf.set(out, v);
    ancestors.push(out);
    return out;
  });
}

export interface RecordLogOptions {
  level: LevelName;
  /** Fields every record carries (role, pid, worker), after level and time. */
  base: Record<string, unknown>;
  /** Takes one record, a JSON line with its newline; must not throw. */
  write(line: string): void;
}

export function createRecordLogger({ level, base, write }: RecordLogOptions): Logger {
  const threshold = LEVELS[level];
  const prefixOf = Object.fromEntries(Object.entries(LEVELS).map(([, n]) => [n, `{"level":${n},"time":`]));
  const baseJson = safeJson(base).slice(1, -1);
  const emit =
    (n: number) =>
    (fieldsOrMessage: unknown, message?: string): void => {
      if (n < threshold) return;
      let fields: Record<string, unknown> | null = null;
      let msg = message;
      if (fieldsOrMessage instanceof Error) {
        fields = { err: fieldsOrMessage };
        msg ??= fieldsOrMessage.message;
      } else if (typeof fieldsOrMessage === 'object' && fieldsOrMessage !== null) fields = fieldsOrMessage as Record<string, unknown>;
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- what a caller logged, shown as pino would
      else if (fieldsOrMessage !== undefined) msg = String(fieldsOrMessage);
      const own = fields ? safeJson(fields).slice(1, -1) : '';
      const parts = [baseJson, own, msg === undefined ? '' : `"msg":${JSON.stringify(msg)}`].filter((p) => p !== '');
      write(`${prefixOf[n]}${Date.now()}${parts.length ? ',' : ''}${parts.join(',')}}\n`);
    };
  return {
    trace: emit(LEVELS.trace),
    debug: emit(LEVELS.debug),
    info: emit(LEVELS.info),
    warn: emit(LEVELS.warn),
    error: emit(LEVELS.error),
    fatal: emit(LEVELS.fatal),
    isLevelEnabled: (name) => name !== 'silent' && (LEVELS[name as LevelName] ?? Infinity) >= threshold,
  };
}
