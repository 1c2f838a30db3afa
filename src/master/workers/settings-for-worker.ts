/**
 * What a worker is told at its spawn (machines/worker-settings.ts, in its environment): the
 * configuration's part the worker needs, in the units it uses, and where its fds are.
 */
import type { Config } from '../../config/options.js';
import type { SocketSet } from '../sockets/socket-set.js';
import { heartbeatPeriod, stallBeforeStack, type WorkerSettings } from '../../../machines/worker-settings.js';
import { WORKER_FD } from '../../../machines/protocol.js';

/** `logToMaster`: the worker's records go through a pipe to the master's error log. */
export function settingsForWorker(config: Config, sockets: SocketSet['forWorker'], id: number, generation: number, logToMaster: boolean): WorkerSettings {
  return {
    id,
    generation,
    app: config.app,
    name: config.name,
    masterPid: process.pid,
    heartbeatFd: WORKER_FD.heartbeat,
    heartbeatMs: heartbeatPeriod(config.timeout),
    listenFds: sockets.fds.map((_, i) => WORKER_FD.firstListener + i),
    reuseBinds: sockets.reuseBinds,
    proxyBinds: sockets.proxy,
    forwardedAllowIps: config.forwardedAllowIps,
    proxyHeaderTimeoutMs: Math.round(config.proxyHeaderTimeout * 1000),
    bootTimeoutMs: Math.round(config.bootTimeout * 1000),
    keepAliveMs: Math.round(config.keepAlive * 1000),
    gracefulTimeoutMs: Math.round(config.gracefulTimeout * 1000),
    hangStacks: config.hangStacks && config.timeout > 0 ? { stallMs: stallBeforeStack(config.timeout) } : null,
    logLevel: config.logLevel,
    errorLog: config.errorLog,
    logToMaster,
    measureDurations: config.metrics !== null,
    tls: config.tls ? { ...config.tls, http2: config.http2 } : null,
    configFile: config.workerHooksFile ?? null,
    accessLog: config.accessLog ? { target: config.accessLog, format: config.accessLogFormat } : null,
    recycle: config.recycle,
    limits: {
      maxHeaderSize: config.maxHeaderSize,
      headersTimeoutMs: Math.round(config.headersTimeout * 1000),
      requestTimeoutMs: Math.round(config.requestTimeout * 1000),
    },
  };
}
