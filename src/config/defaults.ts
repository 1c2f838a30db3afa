/**
 * The defaults of the options, alone in a module: a worker needs some of them (its HTTP limits
 * when a caller gives none) and must not load the configuration graph to get them.
 */
export const DEFAULTS = {
  timeout: 30, gracefulTimeout: 30, bootTimeout: 60, drainDelay: 0, keepAlive: 5, maxHeaderSize: 16384, headersTimeout: 60, requestTimeout: 300,
  logLevel: 'info', errorLog: '-',
} as const;
