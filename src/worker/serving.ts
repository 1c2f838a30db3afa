/**
 * A worker's side of the sockets: listening on the inherited fds, and draining without dropping
 * anything. `server.close()` alone would reset keep-alive clients whose next request is already
 * on the wire, and connections still waiting in the listen backlog; so a drain first accepts
 * what is queued, then stops accepting, answers every further request with `Connection: close`,
 * and lets each socket close after its response.
 */
import net, { type Socket } from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Http2Session } from 'node:http2';
import { logWhenDone, type AccessLog } from './access-log.js';
import { countConnections, endConnection, watchUpgrades, type TrackedSocket } from './connections.js';
import { countProxyHeadersOnPlainBinds } from './client-errors.js';
import { markRelayed, readHeadersFirst, type ProxyBinds } from './proxy-binds.js';
import type { Trusted } from './proxy-protocol.js';
import { DURATION_BUCKETS, type Connections, type Durations } from '../../machines/protocol.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { before } from './listener-order.js';

/** A steady stream of new connections must not keep a draining worker sweeping forever. */
const SWEEP_MAX_MS = 1000;

/** Where a worker listens, in --bind order: the inherited fds, then the --reuse-port addresses. */
export function listenTargets(fds: number[], reuse: Array<{ host: string; port: number }> = []): net.ListenOptions[] {
  // fd and reusePort are listen() options the ListenOptions type does not list.
  return [...fds.map((fd) => ({ fd })), ...reuse.map((b) => ({ ...b, reusePort: true }))] as net.ListenOptions[];
}

/** When a request arrived, on its response: one shared finish listener, no closure per request. */
const STARTED = Symbol('started');

export class Serving {
  /** Every open connection; its response in progress, if any, is `socket._httpMessage` (Node's own field). */
  private readonly sockets = new Set<TrackedSocket>();
  private readonly extra: net.Server[] = [];
  private readonly sessions = new Set<Http2Session>();
  private draining = false;
  private accepted = 0;
  /** The master said it still holds the listening sockets: no backlog sweep needed. */
  socketsHeld = false;
  /** Requests received so far (reported to the master for the inspector and metrics). */
  requests = 0;
  /** How long the answered ones took, per DURATION_BUCKETS bucket (reported for --metrics); null when not measured. */
  readonly durations: Durations | null;
  private onIdle: (() => void) | null = null;

  constructor(
    private readonly server: Server,
    keepAliveMs: number,
    accessLog?: AccessLog,
    /**
     * What is paid for per request only when it is used: preRequest/postRequest hooks (called,
     * not awaited), `counted` (the running count, for --max-requests), `measure` (durations, for
     * --metrics). Without them a request costs a counter and one test.
     */
    hooks: {
      pre?: (req: IncomingMessage) => void;
      post?: (req: IncomingMessage, res: ServerResponse) => void;
      counted?: (n: number) => void;
      measure?: boolean;
    } = {},
    private readonly proxy: ProxyBinds | null = null,
  ) {
    this.durations = hooks.measure ? { counts: new Array<number>(DURATION_BUCKETS.length + 1).fill(0), sum: 0 } : null;
    server.keepAliveTimeout = keepAliveMs;
    // Node reads a keep-alive timeout of 0 as "never time out": an idle client would then hold a
    // draining worker until SIGKILL. --keep-alive 0 means no keep-alive: close after each response.
    const closeEach = keepAliveMs === 0;
    // One close listener each, shared by every socket and every response: no closure is made
    // per connection or per request (measurable with a new connection per request).
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- read inside listeners whose `this` is the socket
    const serving = this;
    const socketClosed = function (this: Socket) {
      serving.sockets.delete(this);
      serving.checkIdle();
    };
    const responseFinished = function (this: ServerResponse & { [STARTED]?: number }) {
      serving.observe((performance.now() - this[STARTED]!) / 1000);
    };
    watchUpgrades(server);
    // --http2: each session, so that a drain can send it GOAWAY (a session that begins meanwhile gets one at once).
    server.on('session' as 'connection', (session: Http2Session) => {
      if (this.draining) return void session.close();
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
    });
    if (proxy) {
      countProxyHeadersOnPlainBinds(server, proxy.reader.unexpected);
      // Before the tracking below: a connection is tracked (and drained) while its header comes.
      if (proxy.binds.some(Boolean)) readHeadersFirst(server, proxy.binds[0] === true, proxy.reader);
    }
    before(server, 'connection', (socket: Socket) => {
      this.sockets.add(socket);
      this.accepted++;
      socket.on('close', socketClosed);
    });
    const { counted, pre, post, measure } = hooks;
    const trusted: Trusted = proxy?.trusted ?? (() => false);
    before(server, 'request', (req: IncomingMessage, res: ServerResponse & { [STARTED]?: number }) => {
      this.requests++;
      // HTTP/2 has no Connection header: a session is ended by its GOAWAY (see drain).
      if ((this.draining || closeEach) && req.httpVersionMajor === 1) res.setHeader('Connection', 'close');
      if (counted) counted(this.requests);
      if (measure || accessLog) {
        const startedAt = (res[STARTED] = performance.now());
        if (measure) res.once('finish', responseFinished);
        if (accessLog) logWhenDone(accessLog, req, res, startedAt, trusted);
      }
      if (pre) pre(req);
      if (post) res.once('finish', () => post(req, res));
    });
  }

  private observe(seconds: number): void {
    const durations = this.durations!;
    let i = 0;
    while (i < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[i]) i++;
    durations.counts[i]++;
    durations.sum += seconds;
  }

  /**
   * Listens on every inherited socket and binds the --reuse-port addresses (SO_REUSEPORT); extra
   * ones hand their connections to the one server. A server already bound to the first (the
   * app's own listen, captured) gets the rest.
   */
  async listen(fds: number[], reuse: Array<{ host: string; port: number }> = []): Promise<void> {
    const [first, ...rest] = listenTargets(fds, reuse);
    if (!this.server.listening) {
      await new Promise<void>((ok, fail) => {
        this.server.once('error', fail);
        this.server.listen(first, () => {
          this.server.off('error', fail);
          ok();
        });
      });
    }
    // Marks are read only where some bind carries a PROXY header (readHeadersFirst).
    const marking = this.proxy?.binds.some(Boolean) === true;
    for (const [i, target] of rest.entries()) {
      const proxy = this.proxy?.binds[i + 1] === true;
      const relay = net.createServer((socket) => {
        if (marking) markRelayed(socket, proxy);
        this.server.emit('connection', socket);
      });
      await new Promise<void>((ok, fail) => relay.once('error', fail).listen(target, ok));
      this.extra.push(relay);
    }
  }

  get connections(): number {
    return this.sockets.size;
  }

  /** The open connections by kind, for the heartbeat's report. */
  connectionKinds(): Connections {
    return countConnections(this.sockets);
  }

  /**
   * The drain's bound: ends every connection still open cleanly (see endConnection), and
   * destroys whatever is still there `closeMs` later. The drain then resolves as the last closes.
   */
  endAll(closeMs: number): void {
    for (const socket of this.sockets) endConnection(socket);
    setTimeout(() => this.closeNow(), closeMs).unref();
  }

  /**
   * Resolves once every connection has closed; with `maxMs`, closes what is left by then.
   * `swept` learns whether the backlog is swept (for the log).
   */
  async drain(maxMs?: number, swept?: (sweep: boolean) => void): Promise<void> {
    this.draining = true;
    // HTTP/2: GOAWAY; the open streams finish, the client opens no more on this session.
    for (const session of this.sessions) session.close();
    // Each connection's response in progress, if its headers are not out yet, is its last.
    for (const socket of this.sockets) {
      const res = socket._httpMessage;
      if (res && !res.headersSent) res.setHeader('Connection', 'close');
    }
    // One turn first: the master's note, sent just before its signal, is read by then.
    await nextTurn();
    // Retired while others accept: what waits in the backlog is theirs, and sweeping under a
    // steady load would only bounce reconnecting clients through this worker for up to 1 s.
    swept?.(!this.socketsHeld);
    if (!this.socketsHeld) await this.sweepBacklog();
    this.stopAccepting();
    const idle = new Promise<void>((resolve) => {
      this.onIdle = resolve;
      this.checkIdle();
    });
    if (maxMs === undefined) return idle;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      idle,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, maxMs);
      }),
    ]);
    clearTimeout(timer);
    this.closeNow();
  }

  /**
   * Accepts what waits in the listen backlog before letting go of the socket: the last process
   * to close it would otherwise reset those connections (gunicorn's #3397). libuv accepts one
   * connection per poll phase, and each turn of the event loop holds one poll phase; the backlog
   * is empty once two turns in a row bring nothing.
   */
  private async sweepBacklog(): Promise<void> {
    const deadline = Date.now() + SWEEP_MAX_MS;
    let quiet = 0;
    while (quiet < 2 && Date.now() < deadline) {
      const before = this.accepted;
      await nextTurn();
      quiet = this.accepted === before ? quiet + 1 : 0;
    }
  }

  /** Quick stop: no more accepting, every connection closed at once. */
  closeNow(): void {
    this.draining = true;
    this.stopAccepting();
    for (const s of this.sockets) s.destroy();
  }

  private stopAccepting(): void {
    // net.Server's close, not http.Server's: the latter also closes idle keep-alive sockets,
    // which races with a client that just sent its next request on one.
    if (this.server.listening) net.Server.prototype.close.call(this.server);
    for (const relay of this.extra) if (relay.listening) relay.close();
  }

  private checkIdle(): void {
    if (this.onIdle && this.sockets.size === 0) {
      const done = this.onIdle;
      this.onIdle = null;
      done();
    }
  }
}
