/**
 * What the master machine says in its log, in one place. The wording is for operators; no
 * behaviour depends on it, so mutation testing leaves it alone (tests match it by pattern).
 */
// Stryker disable all: operator-facing wording, not behaviour
export const MSG = {
  usr2Unsupported: 'USR2 (hot upgrade) is not supported yet: ignored',
  winchIgnored: 'WINCH ignored: not daemonized',
  ttin: 'TTIN: one more worker',
  ttou: 'TTOU: one worker fewer',
  ttouAtOne: 'TTOU ignored: already at one worker',
  ready: 'ready: every worker of the first generation is serving',
  hupWhileBooting: 'HUP ignored while the first generation boots',
  queuedReloadStarts: 'starting the reload queued during the last one',
  hup: 'HUP: reloading',
  hupQueued: 'HUP during a reload: queued; the newest code loads once this generation is up',
  configFailed: 'reload failed: the configuration did not load; still running on the old one',
  reloadComplete: 'reload complete: every worker is of the new generation',
  hupStopping: 'HUP ignored: stopping',
  ttinStopping: 'TTIN ignored: stopping',
  ttouStopping: 'TTOU ignored: stopping',
  gracefulStop: 'graceful stop: workers finish their requests',
  drainDelay: 'graceful stop after --drain-delay: serving on meanwhile',
  drainDelayOver: 'drain delay over: workers finish their requests',
  termWhileGraceful: 'TERM ignored: already stopping gracefully (send INT or QUIT to stop at once)',
  quickStop: 'quick stop: workers exit at once',
  termWhileQuick: 'TERM ignored: already stopping quickly',
  intWhileQuick: 'INT ignored: already stopping quickly',
  quitWhileQuick: 'QUIT ignored: already stopping quickly',
  killedAfterDeadline: 'worker still alive after its deadline: SIGKILL',
  bootTimeout: 'worker boot timeout',
  workerTimeout: 'worker timeout',
  stableAgain: 'workers stable again: respawn backoff reset',
  workerReady: 'worker ready',
  recycle: 'worker reached a recycling limit: it is retired once its replacement is ready',
  reloadAbandoned: 'reload abandoned: the new workers failed to boot; the old workers keep serving',
} as const;
