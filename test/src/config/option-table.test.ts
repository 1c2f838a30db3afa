import { describe, expect, it } from 'vitest';
import { docDefault, helpLine, OPTION_KEYS, OPTION_ROWS, OPTION_TABLE } from '../../../src/config/option-table.js';
import { CLI_ONLY } from '../../../src/config/option-row.js';
import { normalize } from '../../../src/config/options.js';

describe('the option table', () => {
  it("a row's type agrees with its flags: a flag takes no value, a list is repeatable", () => {
    for (const row of OPTION_ROWS) {
      const takesValue = /[<[]/.test(row.flags);
      expect([row.key, takesValue]).toEqual([row.key, row.type !== 'flag']);
      expect([row.key, row.help.includes('repeatable')]).toEqual([row.key, row.type === 'list']);
    }
  });

  it('every default passes its own checker unchanged', () => {
    const withDefaults = OPTION_ROWS.filter((row) => row.default !== undefined);
    expect(withDefaults.length).toBeGreaterThan(15);
    for (const row of withDefaults) expect([row.key, row.check?.(row.name, row.default)]).toEqual([row.key, row.default]);
  });

  it('normalize falls back to the defaults the rows state, and --print-config shows them', () => {
    const config = normalize({ app: 'app.js' });
    for (const row of OPTION_ROWS.filter((r) => r.default !== undefined)) {
      const shown = row.show!(config);
      if (row.type === 'flag') expect([row.key, shown === row.default || (row.default === false && shown === '(off)')]).toEqual([row.key, true]);
      else expect([row.key, shown]).toEqual([row.key, row.default]);
    }
  });

  it("numbers are checked on the command line by their row's checker; others wait for normalize", () => {
    expect(OPTION_ROWS.filter((r) => r.type === 'number').map((r) => r.key)).toEqual([
      'bootNice',
      'maxWorkers',
      'proxyHeaderTimeout',
      'timeout',
      'gracefulTimeout',
      'bootTimeout',
      'drainDelay',
      'keepAlive',
      'maxHeaderSize',
      'headersTimeout',
      'requestTimeout',
      'maxRequests',
      'maxRequestsJitter',
      'maxMemory',
      'minWorkers',
      'scaleUpAfter',
      'scaleUpQueue',
      'scaleDownAfter',
      'scaleCooldown',
    ]);
    expect(() => OPTION_TABLE.timeout.check('--timeout', '-1')).toThrow("invalid --timeout '-1': expected a number of seconds, 0 or more (e.g. --timeout 30)");
  });

  it("the config keys are every row but the command line's own switches", () => {
    expect(OPTION_KEYS).toHaveLength(OPTION_ROWS.length - CLI_ONLY.length);
    for (const key of CLI_ONLY) expect(OPTION_KEYS).not.toContain(key);
    expect(OPTION_KEYS.slice(0, 4)).toEqual(['app', 'workers', 'bootNice', 'maxWorkers']);
  });

  it('help and README show the default: the value itself unless the row words it', () => {
    expect(helpLine(OPTION_TABLE.timeout)).toBe('kill a worker whose heartbeat is silent this long; 0 disables [default: 30]');
    expect(helpLine(OPTION_TABLE.reload)).toBe("development: reload (as HUP) when a file in the app's directory changes");
    expect(helpLine(OPTION_TABLE.workers)).toMatch(/\[default: \$WEB_CONCURRENCY or the number of CPUs\]$/);
    expect([
      docDefault(OPTION_TABLE.timeout),
      docDefault(OPTION_TABLE.logLevel),
      docDefault(OPTION_TABLE.daemon),
      docDefault(OPTION_TABLE.printConfig),
    ]).toEqual(['30', '`info`', 'off', '']);
    expect(docDefault(OPTION_TABLE.maxRequests)).toBe('0 (off)');
  });
});
