/**
 * WebSocket clients (ws) that hold an echo conversation across reloads: each sends numbered
 * messages, keeps the ones not echoed yet, and when its connection closes reconnects and sends
 * those again. What they saw is data for the assertions: close codes, the worker pids they talked
 * to, the messages echoed, when each connection closed and how long each reconnect took. Used by
 * the tests and by the bench's long-lived section.
 */
import WebSocket from 'ws';

export interface Closed {
  code: number;
  reason: string;
  /** Wall clock (to compare with log records) and the monotonic clock (to measure). */
  at: number;
  mono: number;
  pid: number | null;
}

export class EchoClient {
  readonly acked = new Set<number>();
  readonly unacked = new Set<number>();
  readonly closes: Closed[] = [];
  readonly pids: number[] = [];
  /** Milliseconds from a close to the next worker's hello, per reconnect. */
  readonly reconnectMs: number[] = [];
  private ws: WebSocket | null = null;
  private next = 0;
  private stopped = false;
  private pid: number | null = null;
  private opened: Promise<void> = Promise.resolve();

  constructor(
    private readonly url: string,
    private readonly name: number,
    private readonly reconnectDelayMs = 20,
  ) {}

  connect(): Promise<void> {
    this.opened = new Promise((resolve) => {
      const ws = new WebSocket(this.url);
      this.ws = ws;
      ws.on('message', (data) => {
        const m = JSON.parse(String(data)) as { hello?: number; n?: number };
        if (m.hello !== undefined) {
          const lastClose = this.closes.at(-1);
          if (lastClose) this.reconnectMs.push(performance.now() - lastClose.mono);
          this.pid = m.hello;
          this.pids.push(m.hello);
          for (const n of this.unacked) ws.send(JSON.stringify({ n, from: this.name }));
          return resolve();
        }
        if (m.n !== undefined) {
          this.unacked.delete(m.n);
          this.acked.add(m.n);
        }
      });
      ws.on('close', (code, reason) => {
        this.closes.push({ code, reason: String(reason), at: Date.now(), mono: performance.now(), pid: this.pid });
        this.ws = null;
        if (!this.stopped) setTimeout(() => void this.connect(), this.reconnectDelayMs);
      });
      ws.on('error', () => {
        /* the close that follows says what happened */
      });
    });
    return this.opened;
  }

  /** Sends the next message; it counts as lost until its echo comes back. */
  send(): void {
    const n = this.next++;
    this.unacked.add(n);
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ n, from: this.name }));
  }

  get sent(): number {
    return this.next;
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN && this.pid !== null;
  }

  get currentPid(): number | null {
    return this.pid;
  }

  close(): void {
    this.stopped = true;
    this.ws?.close(1000);
  }
}
