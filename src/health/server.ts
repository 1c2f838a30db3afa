/**
 * The health endpoints (--health HOST:PORT), answered by the master itself, for an
 * orchestrator's probes and a load balancer's checks: /readyz, /livez and /startupz, each 200 or
 * 503 with one JSON line that says why (and which master answered: its pid). The answers are the master machine's facts
 * (machines/master.health.ts), read at request time: the moment TERM is handled, /readyz says 503.
 */
import type { MasterStep, MasterView } from '../../machines/master.facts.js';
import { liveness, readiness, startup, type ProbeAnswer } from '../../machines/master.health.js';
import { StateforkError } from '../errors.js';
import { createLocalServer, listenLocal, type LocalListen, type TakeOver } from '../local-http.js';

export const HEALTH_PATHS = ['/readyz', '/livez', '/startupz'] as const;

export interface HealthSource {
  view(): MasterView;
  now(): number;
  /** The master's periodic check's period (its tick), in ms. */
  tickMs: number;
}

/** What the probes need besides the view, learnt from the master's steps. */
export class HealthFacts {
  /** The first generation served (a step's `ready`): /startupz passes from then on. */
  served = false;
  /** When the master last ran its periodic check (a TICK handled), by its clock. */
  checkedAt: number;

  constructor(private readonly source: HealthSource) {
    this.checkedAt = source.now();
  }

  readonly step = (step: MasterStep): void => {
    if (step.ready) this.served = true;
    if (step.cause === 'TICK') this.checkedAt = this.source.now();
  };

  answer(path: string): ProbeAnswer | null {
    const view = this.source.view();
    switch (path) {
      case '/readyz':
        return readiness(view);
      case '/startupz':
        return startup(view, this.served);
      case '/livez':
        return liveness(view, this.source.now() - this.checkedAt, this.source.tickMs);
      default:
        return null;
    }
  }
}

export async function serveHealth(facts: HealthFacts, host: string, port: number, takeOver: TakeOver | null = null): Promise<LocalListen> {
  const server = createLocalServer('health', host, (req, res) => {
    const answer = req.method === 'GET' || req.method === 'HEAD' ? facts.answer((req.url ?? '/').split('?')[0]) : null;
    if (!answer) {
      return void res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: the health endpoints are ${HEALTH_PATHS.join(', ')} (GET)\n`);
    }
    const body = `${JSON.stringify({ ...answer.body, pid: process.pid })}\n`;
    res
      .writeHead(answer.ok ? 200 : 503, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' })
      .end(req.method === 'HEAD' ? undefined : body);
  });
  return listenLocal(server, host, port, {
    path: '',
    takeOver,
    failure: (e) =>
      new StateforkError('SF_BIND_FAILED', `cannot serve the health endpoints at ${host}:${port}: ${e.code ?? e.message}; choose another --health address`),
  });
}
