import { describe, expect, it } from 'vitest';
import { masterSettings, normalize, tickInterval } from '../../../src/config/options.js';
import { parseAppSpec } from '../../../src/config/app-spec.js';
import { heartbeatPeriod } from '../../../machines/worker-settings.js';

describe('normalize', () => {
  it('fills the documented defaults', () => {
    const c = normalize({ app: 'app.js' }, { WEB_CONCURRENCY: '3' });
    expect(c).toMatchObject({
      workers: 3,
      maxWorkers: 1024,
      timeout: 30,
      gracefulTimeout: 30,
      bootTimeout: 60,
      keepAlive: 5,
      logLevel: 'info',
      errorLog: '-',
      name: 'app.js',
    });
    expect(c.binds.map((b) => b.text)).toEqual(['127.0.0.1:8000']);
    expect(masterSettings(c)).toEqual({
      workers: 3,
      maxWorkers: 1024,
      timeoutMs: 30_000,
      gracefulTimeoutMs: 30_000,
      bootTimeoutMs: 60_000,
      drainDelayMs: 0,
      upgradeAuto: false,
      limits: { cpus: c.limits.cpus, memoryBytes: c.limits.memoryBytes },
    });
    expect(c.scaling).toBeNull();
  });

  it('--workers MIN:MAX, MIN:auto, --min-workers: an adaptive count, with the scaling options in the settings', () => {
    const c = normalize({ app: 'a.js', workers: '2:6', scaleCooldown: 20, scaleUpElu: '0.7', scaleUpQueue: 0, scaleDownAfter: 4.5 });
    expect(c).toMatchObject({
      workers: 2,
      maxWorkers: 6,
      scaling: { min: 2, max: 6, upElu: 0.7, downElu: 0.2, upAfter: 1, upQueue: 0, downAfter: 4.5, cooldown: 20 },
    });
    expect(masterSettings(c).scaling).toEqual({
      min: 2,
      max: 6,
      upElu: 0.7,
      downElu: 0.2,
      upAfterMs: 1000,
      upQueue: 0,
      downAfterMs: 4_500,
      cooldownMs: 20_000,
    });
    expect(normalize({ app: 'a.js', workers: '1:2' }).scaling).toMatchObject({ upQueue: 8, downAfter: 10, cooldown: 30 });
    expect(normalize({ app: 'a.js', workers: '1:auto' }).scaling).toMatchObject({ min: 1, max: null });
    expect(normalize({ app: 'a.js', minWorkers: 3 }).scaling).toMatchObject({ min: 3, max: null });
    expect(normalize({ app: 'a.js', minWorkers: 3, maxWorkers: 5 }).scaling).toMatchObject({ min: 3, max: 5 });
    expect(normalize({ app: 'a.js', workers: '1:4', minWorkers: 1, maxWorkers: 4 }).scaling).toMatchObject({ min: 1, max: 4 });
    expect(normalize({ app: 'a.js', workers: ' 4 ' })).toMatchObject({ workers: 4, scaling: null });
  });

  it('a bad count or threshold is one line naming the fix', () => {
    const bad = (o: object, message: string | RegExp) => expect(() => normalize({ app: 'a.js', ...o })).toThrow(message);
    bad({ workers: '4:2' }, "invalid --workers '4:2': MAX (2) is below MIN (4); give MIN:MAX with MIN <= MAX");
    bad({ workers: '0:4' }, /invalid --workers '0:4': expected a whole number of 1 or more, or MIN:MAX/);
    bad({ workers: '2:x' }, /invalid --workers '2:x': expected/);
    bad({ workers: '1:2:3' }, /invalid --workers '1:2:3': expected/);
    bad({ workers: -1 }, /invalid --workers '-1': expected/);
    bad({ workers: '2:4', minWorkers: 3 }, "invalid --min-workers '3': --workers 2:4 already gives MIN; give one of them");
    bad({ workers: '2:4', maxWorkers: 8 }, "invalid --max-workers '8': --workers 2:4 already gives MAX; give one of them");
    bad({ workers: 4, minWorkers: 2 }, "invalid --workers '4': --min-workers 2 makes the count adaptive; give --workers 2:MAX instead, or drop --min-workers");
    bad({ minWorkers: 4, maxWorkers: 2 }, "invalid --max-workers '2': it is below MIN (4); raise it or lower MIN");
    bad({ workers: '1:4', scaleDownElu: 0.8 }, /invalid --scale-down-elu '0.8': it must be below --scale-up-elu \(0.8\)/);
    bad({ scaleUpElu: 1.5 }, /invalid --scale-up-elu '1.5': expected a share of the time above 0 and at most 1/);
    bad({ scaleUpElu: '0' }, /invalid --scale-up-elu '0': expected a share/);
    bad({ scaleCooldown: -1 }, /invalid --scale-cooldown '-1': expected a number of seconds/);
    bad({ scaleDownAfter: 'soon' }, /invalid --scale-down-after 'soon': expected a number of seconds/);
    bad({ scaleUpQueue: 2.5 }, /invalid --scale-up-queue '2.5': expected a whole number, 0 or more; 0 turns it off/);
  });

  it('--max-workers: the ceiling of TTIN and scale, never below --workers', () => {
    expect(normalize({ app: 'a.js', workers: 2, maxWorkers: 4 })).toMatchObject({ workers: 2, maxWorkers: 4 });
    expect(() => normalize({ app: 'a.js', workers: 5, maxWorkers: 4 })).toThrow(
      "invalid --workers '5': it must not exceed --max-workers (4); lower it or raise --max-workers",
    );
    expect(() => normalize({ app: 'a.js', maxWorkers: 2 }, { WEB_CONCURRENCY: '3' })).toThrow(
      "invalid WEB_CONCURRENCY '3': it must not exceed --max-workers (2)",
    );
    expect(() => normalize({ app: 'a.js', maxWorkers: 0 })).toThrow(/invalid --max-workers '0': expected a whole number of 1 or more/);
    expect(() => normalize({ app: 'a.js', workers: 1025 })).toThrow("invalid --workers '1025': it must not exceed --max-workers (1024)");
  });

  it("a control socket by default, per master; a path of one's own; none with false", () => {
    expect(normalize({ app: 'a.js' }).controlSocket).toEqual({ path: expect.stringMatching(new RegExp(`/${process.pid}\\.sock$`)), isDefault: true });
    expect(normalize({ app: 'a.js', controlSocket: 'run/app.ctl' }).controlSocket).toEqual({ path: `${process.cwd()}/run/app.ctl`, isDefault: false });
    expect(normalize({ app: 'a.js', controlSocket: false }).controlSocket).toBeNull();
    expect(() => normalize({ app: 'a.js', controlSocket: 3 as never })).toThrow(/invalid controlSocket '3': expected a path, or false to disable it/);
  });

  it('--metrics: HOST:PORT, or a bare port on loopback', () => {
    expect(normalize({ app: 'a.js', metrics: '9100' }).metrics).toEqual({ host: '127.0.0.1', port: 9100 });
    expect(normalize({ app: 'a.js', metrics: '0.0.0.0:9100' }).metrics).toEqual({ host: '0.0.0.0', port: 9100 });
    expect(normalize({ app: 'a.js' }).metrics).toBeNull();
    expect(() => normalize({ app: 'a.js', metrics: 'unix:/x' })).toThrow(
      "invalid --metrics 'unix:/x': expected HOST:PORT or PORT (e.g. --metrics 127.0.0.1:9100)",
    );
  });

  it('--upgrade-auto reaches the master machine; a non-boolean is refused', () => {
    expect(masterSettings(normalize({ app: 'a.js', upgradeAuto: true })).upgradeAuto).toBe(true);
    expect(() => normalize({ app: 'a.js', upgradeAuto: 'yes' as never })).toThrow(/invalid upgradeAuto 'yes': expected true or false/);
  });

  it('names the option and the expected form for a bad value', () => {
    expect(() => normalize({ app: 'a.js', workers: 0 })).toThrow(
      "invalid --workers '0': expected a whole number of 1 or more, or MIN:MAX for an adaptive count (e.g. --workers 4, --workers 2:8, --workers 2:auto)",
    );
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
