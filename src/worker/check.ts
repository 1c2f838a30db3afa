/** `--check-config`: load the app the way a worker would, without serving it. */
import { pino } from 'pino';
import { StateforkError } from '../errors.js';
import type { AppSpec } from '../../machines/worker-settings.js';
import { BootError, loadApp } from './app.js';

export async function checkApp(spec: AppSpec): Promise<void> {
  try {
    await loadApp(spec, pino({ level: 'silent' }));
  } catch (e) {
    if (e instanceof BootError) throw new StateforkError('SF_APP_LOAD', e.message);
    throw e;
  }
}
