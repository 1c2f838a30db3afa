import { describe, expect, it } from 'vitest';
import { masterSettings, normalize, tickInterval } from '../../../src/config/options.js';
import { parseAppSpec } from '../../../src/config/app-spec.js';
import { heartbeatPeriod } from '../../../machines/worker-settings.js';

describe('normalize', () => {
  it('fills the documented defaults', () => {
    const c = normalize({ app: 'app.js' }, { WEB_CONCURRENCY: '3' });
    expect(c).toMatchObject({ workers: 3, maxWorkers: 1024, timeout: 30, gracefulTimeout: 30, bootTimeout: 60, keepAlive: 5, logLevel: 'info', errorLog: '-', name: 'app.js' });
    expect(c.binds.map((b) => b.text)).toEqual(['127.0.0.1:8000']);
    expect(masterSettings(c)).toEqual({ workers: 3, maxWorkers: 1024, timeoutMs: 30_000, gracefulTimeoutMs: 30_000, bootTimeoutMs: 60_000, drainDelayMs: 0, upgradeAuto: false });
  });

  it('--max-workers: the ceiling of TTIN and scale, never below --workers', () => {
    expect(normalize({ app: 'a.js', workers: 2, maxWorkers: 4 })).toMatchObject({ workers: 2, maxWorkers: 4 });
    expect(() => normalize({ app: 'a.js', workers: 5, maxWorkers: 4 })).toThrow("invalid --workers '5': it must not exceed --max-workers (4); lower it or raise --max-workers");
    expect(() => normalize({ app: 'a.js', maxWorkers: 2 }, { WEB_CONCURRENCY: '3' })).toThrow("invalid WEB_CONCURRENCY '3': it must not exceed --max-workers (2)");
    expect(() => normalize({ app: 'a.js', maxWorkers: 0 })).toThrow(/invalid --max-workers '0': expected a whole number of 1 or more/);
    expect(() => normalize({ app: 'a.js', workers: 1025 })).toThrow("invalid --workers '1025': it must not exceed --max-workers (1024)");
  });

  it('a control socket by default, per master; a path of one\'s own; none with false', () => {
    expect(normalize({ app: 'a.js' }).controlSocket).toEqual({ path: expect.stringMatching(new RegExp(`/${process.pid}\\.sock$`)), isDefault: true });
    expect(normalize({ app: 'a.js', controlSocket: 'run/app.ctl' }).controlSocket).toEqual({ path: `${process.cwd()}/run/app.ctl`, isDefault: false });
    expect(normalize({ app: 'a.js', controlSocket: false }).controlSocket).toBeNull();
    expect(() => normalize({ app: 'a.js', controlSocket: 3 as never })).toThrow(/invalid controlSocket '3': expected a path, or false to disable it/);
  });

  it('--metrics: HOST:PORT, or a bare port on loopback', () => {
    expect(normalize({ app: 'a.js', metrics: '9100' }).metrics).toEqual({ host: '127.0.0.1', port: 9100 });
    expect(normalize({ app: 'a.js', metrics: '0.0.0.0:9100' }).metrics).toEqual({ host: '0.0.0.0', port: 9100 });
    expect(normalize({ app: 'a.js' }).metrics).toBeNull();
    expect(() => normalize({ app: 'a.js', metrics: 'unix:/x' })).toThrow("invalid --metrics 'unix:/x': expected HOST:PORT or PORT (e.g. --metrics 127.0.0.1:9100)");
  });

  it('--upgrade-auto reaches the master machine; a non-boolean is refused', () => {
    expect(masterSettings(normalize({ app: 'a.js', upgradeAuto: true })).upgradeAuto).toBe(true);
    expect(() => normalize({ app: 'a.js', upgradeAuto: 'yes' as never })).toThrow(/invalid upgradeAuto 'yes': expected true or false/);
  });

  it('names the option and the expected form for a bad value', () => {
    expect(() => normalize({ app: 'a.js', workers: 0 })).toThrow("invalid --workers '0': expected a whole number of 1 or more (e.g. --workers 4)");
    expect(() => normalize({ app: 'a.js', timeout: -2 })).toThrow("invalid --timeout '-2'");
    expect(() => normalize({ app: 'a.js', logLevel: 'loud' as never })).toThrow(/invalid --log-level 'loud'/);
    expect(() => normalize({ app: '' })).toThrow(/no app given/);
  });

  it('checks often enough for short timeouts, and at most once a second', () => {
    expect(tickInterval(normalize({ app: 'a.js', workers: 1 }))).toBe(1000);
    expect(tickInterval(normalize({ app: 'a.js', workers: 1, timeout: 1 }))).toBe(250);
    expect(heartbeatPeriod(30)).toBe(1000);
    expect(heartbeatPeriod(1)).toBe(250);
  });
});

describe('parseAppSpec', () => {
  it('splits PATH:EXPORT like gunicorn module:app', () => {
    expect(parseAppSpec('./app.js:handler')).toMatchObject({ exportName: 'handler' });
    expect(parseAppSpec('./app.js')).toMatchObject({ exportName: null });
    expect(parseAppSpec('/srv/app.mjs').path).toBe('/srv/app.mjs');
  });
});
