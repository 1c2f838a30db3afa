/**
 * -D/--daemon: the command starts the master again as a detached process (a new session, no
 * controlling terminal, stdin/stdout/stderr on /dev/null: the log goes to --error-log) and waits
 * for its word over IPC: ready once the first generation serves (exit 0), or why it could not
 * start (its exit code, and the reason in one line).
 */
import { childProcess } from './node-builtins.js';
import { EXIT } from '../machines/exit-codes.js';
import { daemonMessage, ENV, parseDaemonMessage } from '../machines/protocol.js';
import { distPath } from './dist-paths.js';

const { spawn } = childProcess();

const CLI = distPath('src/cli.js');

export function isDaemonChild(): boolean {
  return process.env[ENV.daemonChild] === '1';
}

/** In the daemon: tell the starting command, once, and let it go. */
export function tellStarter(message: { kind: 'daemon-ready' } | { kind: 'daemon-failed'; exitCode: number; reason: string }): void {
  if (!isDaemonChild() || !process.connected || !process.send) return;
  const full = message.kind === 'daemon-ready' ? daemonMessage.ready(process.pid) : daemonMessage.failed(message.exitCode, message.reason, process.pid);
  process.send(full, undefined, {}, () => process.disconnect());
}

/** In the command: start the daemon and wait for its word. */
export function daemonize(argv: string[], errorLog: string): Promise<number> {
  if (errorLog === '-')
    process.stderr.write('statefork: warning: --daemon with --error-log - (stderr): the daemon has no stderr, its log goes nowhere; give --error-log FILE\n');
  const child = spawn(process.execPath, [...process.execArgv, CLI, ...argv], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    env: { ...process.env, [ENV.daemonChild]: '1' },
  });
  return new Promise((resolve) => {
    let settled = false;
    const settle = (code: number, line: string, stream: NodeJS.WriteStream) => {
      if (settled) return;
      settled = true;
      stream.write(`${line}\n`);
      child.removeAllListeners();
      if (child.connected) child.disconnect();
      child.unref();
      resolve(code);
    };
    child.on('message', (message: unknown) => {
      const raw = parseDaemonMessage(message);
      if (!raw) return;
      if (raw.kind === 'daemon-ready') settle(EXIT.OK, `statefork: daemon started, pid ${raw.pid}`, process.stdout);
      if (raw.kind === 'daemon-failed') settle(raw.exitCode || EXIT.FAILURE, `statefork: error: the daemon did not start: ${raw.reason}`, process.stderr);
    });
    child.on('exit', (code, signal) =>
      settle(code || EXIT.FAILURE, `statefork: error: the daemon exited before it was ready (${signal ?? `code ${code}`}); see --error-log`, process.stderr),
    );
    child.on('error', (e) => settle(EXIT.FAILURE, `statefork: error: cannot start the daemon: ${e.message}`, process.stderr));
  });
}
