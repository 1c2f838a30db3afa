/**
 * The worker's logger writes the records pino writes: the master relays them and people and
 * tools read them as one log. Each case is logged through both and the parsed records compared
 * (but for the time, which both take from Date.now()).
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createRecordLogger, safeJson, type LevelName } from '../../src/record-log.js';

type Call = (log: Record<string, (...a: unknown[]) => void>) => void;

function both(level: LevelName, call: Call): [unknown[], unknown[]] {
  const ours: string[] = [];
  const theirs: string[] = [];
  const base = { role: 'worker', pid: 42, worker: 3 };
  call(createRecordLogger({ level, base, write: (l) => ours.push(l) }) as never);
  call(pino({ level, base }, { write: (l: string) => theirs.push(l) }) as never);
  const parse = (lines: string[]) =>
    lines.map((l) => {
      expect(l.endsWith('\n') && !l.slice(0, -1).includes('\n')).toBe(true);
      const { time, ...rest } = JSON.parse(l) as { time: number };
      expect(Math.abs(time - Date.now())).toBeLessThan(5000);
      return rest;
    });
  return [parse(ours), parse(theirs)];
}

describe('record-log writes what pino writes', () => {
  const err = Object.assign(new Error('boom', { cause: new Error('inner') }), { code: 'EBOOM', errno: -5 });
  const loop = new Error('loop') as Error & { cause?: unknown };
  loop.cause = loop;
  const aggregate = Object.assign(new AggregateError([new TypeError('t'), 'plain'], 'many'), { other: new RangeError('r'), loop });
  const cases: [string, LevelName, Call][] = [
    ['fields and a message', 'info', (l) => l.info({ a: 1, nested: { b: [1, 'x', null] } }, 'hello')],
    ['a message alone', 'info', (l) => l.warn('just this')],
    ['fields alone', 'info', (l) => l.error({ lost: 3 })],
    ['an error under err', 'info', (l) => l.error({ err, hook: 'on_exit' }, 'failed')],
    ['an error alone', 'info', (l) => l.fatal(err)],
    ['an AggregateError, an error in a field, a circular cause', 'info', (l) => l.error({ err: aggregate }, 'agg')],
    [
      'every level at trace',
      'trace',
      (l) => {
        for (const n of ['trace', 'debug', 'info', 'warn', 'error', 'fatal']) l[n]({ n }, n);
      },
    ],
    [
      'below the level: nothing',
      'warn',
      (l) => {
        l.info('no');
        l.debug('no');
        l.warn('yes');
      },
    ],
    [
      'silent: nothing',
      'silent',
      (l) => {
        l.fatal('no');
      },
    ],
    ['a message with quotes, newlines and controls', 'info', (l) => l.info({ s: 'a"b\n\u0007' }, 'x"y\nz\u001b[31m')],
  ];
  for (const [name, level, call] of cases) {
    it(name, () => {
      const [ours, theirs] = both(level, call);
      expect(ours).toEqual(theirs);
    });
  }

  it('knows its level as pino does', () => {
    const ours = createRecordLogger({ level: 'info', base: {}, write: () => {} });
    const theirs = pino({ level: 'info' });
    for (const n of ['trace', 'debug', 'info', 'warn', 'error', 'fatal']) expect(ours.isLevelEnabled(n)).toBe(theirs.isLevelEnabled(n));
  });

  it('never throws on what JSON cannot write: cycles, BigInt, an error holding itself', () => {
    const o: Record<string, unknown> = { n: 1n };
    o.self = o;
    o.list = [o, { back: o }];
    const e = new Error('loop') as Error & { again?: unknown };
    e.again = { e };
    expect(JSON.parse(safeJson({ o, e }))).toMatchObject({
      o: { n: '1', self: '[Circular]', list: ['[Circular]', { back: '[Circular]' }] },
      e: { message: 'loop', again: { e: '[Circular]' } },
    });
    // A shared object that is not a cycle is written each time.
    const shared = { x: 1 };
    expect(JSON.parse(safeJson({ a: shared, b: shared }))).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });
});
