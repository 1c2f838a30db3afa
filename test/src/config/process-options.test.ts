import { describe, expect, it } from 'vitest';
import { checkFileMode, checkLogRate, formatFileMode, formatLogRate } from '../../../src/config/process-options.js';
import { normalize } from '../../../src/config/options.js';

describe('--log-file-mode', () => {
  it.each([
    ['0640', 0o640],
    ['640', 0o640],
    ['0o600', 0o600],
    [' 0644 ', 0o644],
    [0o600, 0o600],
    ['0000', 0],
  ])('%s', (given, mode) => {
    expect(checkFileMode(given)).toBe(mode);
  });
  it.each(['0755', '0700', '01644', '0777', 'rw-r-----', '64', '', 0o1000, -1, 1.5])('refuses %s: one line with the form', (given) => {
    expect(() => checkFileMode(given)).toThrow(
      /^invalid --log-file-mode '.*': expected an octal file mode without execute bits, at most 0666 \(e\.g\. --log-file-mode 0640\)$/,
    );
  });
  it('defaults to 0640 and shows as octal', () => {
    expect(normalize({ app: 'app.js' }).logFileMode).toBe(0o640);
    expect(formatFileMode(0o640)).toBe('0640');
    expect(formatFileMode(0o6)).toBe('0006');
  });
});

describe('--worker-log-rate', () => {
  it.each([
    ['5000:4MiB', { records: 5000, bytes: 4 * 1024 * 1024 }],
    ['100:64KiB', { records: 100, bytes: 64 * 1024 }],
    ['1:65536', { records: 1, bytes: 65536 }],
    ['10:2m', { records: 10, bytes: 2 * 1024 * 1024 }],
    ['0', null],
    [0, null],
    ['off', null],
  ])('%s', (given, rate) => expect(checkLogRate(given)).toEqual(rate));
  it.each(['5000', '0:4MiB', '5000:65535', '5000:63KiB', 'lots:4MiB', '-1:4MiB', '5000:4GiB', '5000:4 MiBs'])('refuses %s: one line with the form', (given) => {
    expect(() => checkLogRate(given)).toThrow(
      /^invalid --worker-log-rate '.*': expected RECORDS:BYTES a second per worker, BYTES at least 64KiB \(e\.g\. --worker-log-rate 5000:4MiB\), or 0 for no limit$/,
    );
  });
  it('is on by default, at 5000 records and 4 MiB a second', () => {
    expect(normalize({ app: 'app.js' }).workerLogRate).toEqual({ records: 5000, bytes: 4 * 1024 * 1024 });
    expect(normalize({ app: 'app.js', workerLogRate: 0 }).workerLogRate).toBeNull();
    expect(formatLogRate(null)).toBe('0 (no limit)');
    expect(formatLogRate({ records: 5, bytes: 65536 })).toBe('5:65536');
  });
});

describe('--inspector-token-file', () => {
  it('needs --inspector-controls; is resolved to an absolute path', () => {
    expect(() => normalize({ app: 'app.js', inspectorTokenFile: 't' })).toThrow(
      'invalid --inspector-token-file: it holds the token of --inspector-controls; give --inspector-controls too, or drop it',
    );
    expect(normalize({ app: 'app.js', inspector: true, inspectorControls: true, inspectorTokenFile: 't' }).inspectorTokenFile).toBe(`${process.cwd()}/t`);
    expect(normalize({ app: 'app.js' }).inspectorTokenFile).toBeNull();
  });
});
