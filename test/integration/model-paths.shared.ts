/**
 * What the level-2 model tests (real processes, real signals) share: reading the state-level path
 * a master took from its log, recording the coverage, and small drivers.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { APPS, isTransition, startServing, type Rec, type Running } from '../helpers/cli.js';
import { recordLevel2 } from '../machines/model/coverage.js';

/**
 * Coverage for one test file (`part`), recorded once it is done. `harvest` reads the
 * state-level transitions of one master from a log: every state change ("transition" records)
 * and every event that left the state as it was ("step" records, at debug level), and returns
 * its path. Records of another master (a hot upgrade's new one logs to the same stream) are
 * skipped: `pid` is the first master's unless given.
 */
export function level2(part: string) {
  const states = new Set<string>();
  const transitions = new Set<string>();
  afterAll(() => recordLevel2(part, states, transitions));
  function harvest(records: Rec[], pid = records.find((r) => r.machine === 'master')?.pid): string[] {
    const path: string[] = [];
    for (const r of records) {
      if (r.machine !== 'master' || r.pid !== pid) continue;
      if (r.event === 'transition') {
        if (r.from) transitions.add(`${r.from} --${r.cause}--> ${r.to}`);
        states.add(r.to);
        path.push(r.to);
      } else if (r.event === 'step' && r.from === r.to && r.from) {
        transitions.add(`${r.from} --${r.cause}--> ${r.to}`);
      }
    }
    return path;
  }
  return { states, harvest };
}

export function appCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'statefork-model-'));
  cpSync(join(APPS, 'hello.cjs'), join(dir, 'app.cjs'));
  return join(dir, 'app.cjs');
}

/** Sends each signal in turn and waits until the master handled it and is still in `state`. */
export async function sendEach(m: Running, signals: string[], state: string, pid = m.pid): Promise<void> {
  for (const name of signals) {
    const from = m.records.length;
    process.kill(pid, `SIG${name}` as NodeJS.Signals);
    await m.waitFor((x) => x.event === 'step' && x.machine === 'master' && x.pid === pid && x.cause === name && x.to === state, {
      from,
      what: `${name} handled in ${state}`,
    });
  }
}

/** Signals that change nothing but a log line in booting and stopping (USR2 upgrades while serving). */
export const HARMLESS = ['HUP', 'TTIN', 'TTOU', 'USR1', 'WINCH'];
export const IGNORED_OUTSIDE_SERVING = [...HARMLESS, 'USR2'];

/**
 * A master serving from a project directory whose config file then turns slow: the next HUP
 * stays in `configuring` for `loadMs`. A hot upgrade's new master loads it at once.
 */
export async function slowReloadProject(loadMs: number, workers = 1): Promise<{ dir: string; m: Running }> {
  const dir = mkdtempSync(join(tmpdir(), 'statefork-model-'));
  cpSync(join(APPS, 'hello.cjs'), join(dir, 'app.cjs'));
  const config = join(dir, 'statefork.config.mjs');
  const body = `export default { app: './app.cjs', bind: '127.0.0.1:0', workers: ${workers} };\n`;
  writeFileSync(config, body);
  const m = await startServing(['--log-level', 'debug'], { cwd: dir });
  writeFileSync(config, `if (!process.env.STATEFORK_UPGRADE_FROM) await new Promise((r) => setTimeout(r, ${loadMs}));\n${body}`);
  return { dir, m };
}

/** Waits for this master (not a new master of a hot upgrade) to reach `state`. */
export async function settle(m: Running, state: string, from = 0): Promise<void> {
  await m.waitFor((x) => isTransition('master', state)(x) && x.pid === m.pid, { from, what: `the master to reach ${state}` });
}
