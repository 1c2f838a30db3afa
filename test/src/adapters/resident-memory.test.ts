/** The master's reading of a process's resident memory (statm pages times the page size) against the kernel's VmRSS. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { residentBytes } from '../../../src/adapters/resident-memory.js';

const vmRss = (pid: number) => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

describe('residentBytes', () => {
  it('reads what /proc/PID/status says, for this process and for another', async () => {
    expect(Math.abs(residentBytes(process.pid)! - vmRss(process.pid)) / vmRss(process.pid)).toBeLessThan(0.05);
    const child = spawn(process.execPath, ['-e', 'const keep = Buffer.alloc(64 * 2 ** 20, 1); setInterval(() => keep[0]++, 1000); console.log("up")'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise((ok) => child.stdout.once('data', ok));
      const bytes = residentBytes(child.pid)!;
      // The child holds 64 MiB it wrote to, on top of a bare process.
      expect(bytes).toBeGreaterThan(64 * 2 ** 20);
      expect(Math.abs(bytes - vmRss(child.pid!)) / bytes).toBeLessThan(0.05);
    } finally {
      child.kill('SIGKILL');
    }
  });
  it('is null for a process that is gone or was never there', async () => {
    const child = spawn(process.execPath, ['-e', '0']);
    // 'exit' comes once libuv has waited for it: the pid is gone by then.
    await new Promise((ok) => child.once('exit', ok));
    expect(residentBytes(child.pid)).toBeNull();
    expect(residentBytes(0)).toBeNull();
    expect(residentBytes(null)).toBeNull();
  });
});
