/** `--check-config`: load the app the way a worker would, without serving it. */
import { createRecordLogger } from '../record-log.js';
import { StateforkError } from '../errors.js';
import type { AppSpec } from '../../machines/worker-settings.js';
import { BootError } from './app.js';
import { loadApp } from './app-load.js';

/** An app that listens itself is given this long to do it; its listen is held, never bound. */
const CHECK_WAIT_S = 30;

export async function checkApp(spec: AppSpec): Promise<void> {
  try {
    await loadApp(spec, createRecordLogger({ level: 'silent', base: {}, write: () => {} }), {
      deadline: { byMs: performance.now() + CHECK_WAIT_S * 1000, limit: `${CHECK_WAIT_S} s (--check-config)` },
    });
  } catch (e) {
    if (e instanceof BootError) throw new StateforkError('SF_APP_LOAD', e.message);
    throw e;
  }
}
