/** The defaults of the options; Node's HTTP limits are the spawn contract's (a worker applies them). */
import { DEFAULT_HTTP_LIMITS } from '../../machines/worker-settings.js';

export const DEFAULTS = {
  timeout: 30, gracefulTimeout: 30, bootTimeout: 60, drainDelay: 0, keepAlive: 5,
  maxHeaderSize: DEFAULT_HTTP_LIMITS.maxHeaderSize, headersTimeout: DEFAULT_HTTP_LIMITS.headersTimeoutMs / 1000, requestTimeout: DEFAULT_HTTP_LIMITS.requestTimeoutMs / 1000,
  logLevel: 'info', errorLog: '-',
} as const;
