/**
 * Long-lived connections across reloads and stops, with real clients: WebSocket (ws) echo
 * conversations that resend what was not echoed, Server-Sent Events resumed with Last-Event-ID,
 * a streaming download in flight, and an app that ignores the drain (statefork's own bound then
 * ends its connections: a close, not a reset, and the worker exits by itself).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EventSource } from 'eventsource';
import { eventually, isTransition, startCli, startServing, type Rec, type Running } from '../helpers/cli.js';
import { EchoClient } from '../helpers/ws-clients.js';
import { get } from '../helpers/http.js';

const wsUrl = (m: Running) => m.url().replace(/^http/, 'ws');
const exitOf = (pid: number) => (r: Rec) => r.machine === 'master.worker' && r.to === 'exited' && r.workerPid === pid;

async function conversation(m: Running, clients: number) {
  const all = Array.from({ length: clients }, (_, i) => new EchoClient(wsUrl(m), i));
  await Promise.all(all.map((c) => c.connect()));
  const talk = setInterval(() => {
    for (const c of all) c.send();
  }, 20);
  return {
    all,
    async finish() {
      clearInterval(talk);
      await eventually(() => all.every((c) => c.connected && c.unacked.size === 0), 10_000, 'every message echoed');
      for (const c of all) c.close();
    },
  };
}

describe('WebSocket (ws)', () => {
  it('HUP: every client gets 1001, reconnects to a new worker, no message is lost; the old workers exit as their last client leaves', async () => {
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', 'ws-echo.mjs']);
    const oldPids = m.workerPids();
    const talk = await conversation(m, 8);
    await eventually(() => talk.all.every((c) => c.acked.size > 3), 5000, 'the conversation to start');
    const from = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor(isTransition('master', 'serving.running'), { from, what: 'the reload to complete', timeoutMs: 15_000 });
    const exits = await Promise.all(oldPids.map((pid) => m.waitFor(exitOf(pid), { from, what: `old worker ${pid} to exit` })));
    await eventually(() => talk.all.every((c) => c.connected && !oldPids.includes(c.currentPid!)), 5000, 'every client on a new worker');
    await talk.finish();

    for (const c of talk.all) {
      // One goodbye per old worker it was on: a client may reconnect to an old worker not retired yet.
      const goodbyes = c.closes.filter((x) => x.code !== 1000);
      expect(goodbyes.length).toBeGreaterThanOrEqual(1);
      expect(goodbyes.map((x) => [x.code, x.reason])).toEqual(goodbyes.map(() => [1001, 'draining: reload']));
      expect(goodbyes.every((x) => oldPids.includes(x.pid!))).toBe(true);
      expect(c.acked.size).toBe(c.sent);
      expect(oldPids).not.toContain(c.currentPid);
    }
    // Each old worker went as soon as its last client did, far from the 30 s graceful timeout.
    // (The kernel spreads connections as it likes: a worker may have had none, and then goes at once.)
    const withClients = oldPids.filter((pid) => talk.all.some((c) => c.closes.some((x) => x.pid === pid)));
    expect(withClients.length).toBeGreaterThanOrEqual(1);
    for (const pid of withClients) {
      const lastClose = Math.max(...talk.all.flatMap((c) => c.closes.filter((x) => x.pid === pid).map((x) => x.at)));
      expect(exits[oldPids.indexOf(pid)].time - lastClose).toBeLessThan(1000);
    }
    const drained = m.records.filter((r) => r.role === 'worker' && typeof r.msg === 'string' && r.msg.startsWith('draining (reload)'));
    expect(drained.map((r) => r.pid).sort()).toEqual([...oldPids].sort());
    expect(drained.filter((r) => withClients.includes(r.pid)).every((r) => r.connections.upgraded >= 1)).toBe(true);
  });

  it('TERM: the same clean close, and the master exits 0', async () => {
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', 'ws-echo.mjs']);
    const clients = Array.from({ length: 4 }, (_, i) => new EchoClient(wsUrl(m), i));
    await Promise.all(clients.map((c) => c.connect()));
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
    await eventually(() => clients.every((c) => c.closes.length > 0), 5000, 'every client closed');
    for (const c of clients) {
      c.close();
      expect([c.closes[0].code, c.closes[0].reason]).toEqual([1001, 'draining: stop']);
    }
  });

  it('an app that ignores the drain: at the graceful timeout the worker closes its WebSockets itself (1001) and exits 0, no SIGKILL', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--graceful-timeout', '3', 'ws-echo.mjs'], { env: { IGNORE_DRAIN: '1' } });
    const [oldPid] = m.workerPids();
    const clients = Array.from({ length: 3 }, (_, i) => new EchoClient(wsUrl(m), i));
    await Promise.all(clients.map((c) => c.connect()));
    const from = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor((r) => r.pid === oldPid && isTransition('worker', 'ending')(r), { from, what: 'the old worker to reach its bound', timeoutMs: 10_000 });
    const exit = await m.waitFor(exitOf(oldPid), { from, what: 'the old worker to exit' });
    await eventually(() => clients.every((c) => c.connected && c.currentPid !== oldPid), 5000, 'every client on the new worker');
    for (const c of clients) {
      c.close();
      expect(c.closes.map((x) => [x.code, x.reason])).toEqual([[1001, 'server restarting']]);
    }
    expect(
      m.records
        .slice(from)
        .filter((r) => r.msg === 'worker exited' || r.event === 'exit')
        .map((r) => r.signal ?? null),
    ).not.toContain('SIGKILL');
    expect(m.records.slice(from).some((r) => r.workerPid === oldPid && /SIGKILL|killed after/.test(String(r.msg)))).toBe(false);
    expect(exit.cause).toBe('WORKER_EXIT');
  });
});

describe('Server-Sent Events', () => {
  it('HUP: the stream ends with a retry hint and resumes on a new worker with Last-Event-ID, no event lost or repeated', async () => {
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', 'sse.mjs']);
    const oldPids = m.workerPids();
    const seen: Array<{ n: number; pid: number }> = [];
    const source = new EventSource(`${m.url()}/events`);
    source.onmessage = (e) => seen.push(JSON.parse(e.data));
    await eventually(() => seen.length > 5, 5000, 'the first events');
    const from = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor(isTransition('master', 'serving.running'), { from, what: 'the reload to complete', timeoutMs: 15_000 });
    await Promise.all(oldPids.map((pid) => m.waitFor(exitOf(pid), { from, what: `old worker ${pid} to exit` })));
    await eventually(() => seen.filter((e) => !oldPids.includes(e.pid)).length > 5, 5000, 'events from a new worker');
    source.close();
    expect(seen.map((e) => e.n)).toEqual(seen.map((_, i) => i));
    expect(new Set(seen.map((e) => e.pid)).size).toBeGreaterThanOrEqual(2);
  });
});

describe('a streaming download', () => {
  it('in flight when HUP arrives, completes byte for byte', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', 'stream.mjs']);
    const { CHUNK, CHUNKS, byteAt } = await import('../fixtures/apps/stream.mjs');
    const response = await fetch(`${m.url()}/download`);
    const reader = response.body!.getReader();
    const parts: Uint8Array[] = [];
    const first = await reader.read();
    parts.push(first.value!);
    const from = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor((r) => r.role === 'worker' && String(r.msg).startsWith('draining (reload)'), { from, what: 'the old worker to drain' });
    for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value);
    const body = Buffer.concat(parts);
    expect(body.length).toBe(CHUNK * CHUNKS);
    const wrong = body.findIndex((b, i) => b !== byteAt(i));
    expect(wrong).toBe(-1);
    expect((await get(`${m.url()}/`)).status).toBe(200);
  });
});

describe('socket.io', () => {
  it('HUP: every client is disconnected cleanly, reconnects by itself to a new worker, and no acknowledged echo is missing', async () => {
    const { io } = await import('socket.io-client');
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', 'socketio.mjs']);
    const oldPids = m.workerPids();
    const clients = Array.from({ length: 6 }, () => {
      const socket = io(m.url(), { transports: ['websocket'], reconnectionDelay: 50, reconnectionDelayMax: 200 });
      const c = { socket, pid: 0, sent: 0, acked: new Set<number>(), unacked: new Set<number>(), reasons: [] as string[] };
      const emit = (n: number) =>
        socket.emit('echo', n, (v: number) => {
          c.unacked.delete(v);
          c.acked.add(v);
        });
      socket.on('hello', (pid: number) => {
        c.pid = pid;
        for (const n of c.unacked) emit(n);
      });
      socket.on('disconnect', (reason) => c.reasons.push(reason));
      return {
        c,
        send: () => {
          const n = c.sent++;
          c.unacked.add(n);
          if (socket.connected) emit(n);
        },
      };
    });
    await eventually(() => clients.every(({ c }) => c.pid !== 0), 5000, 'every client connected');
    const talk = setInterval(() => {
      for (const x of clients) x.send();
    }, 20);
    const from = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor(isTransition('master', 'serving.running'), { from, what: 'the reload to complete', timeoutMs: 15_000 });
    await Promise.all(oldPids.map((pid) => m.waitFor(exitOf(pid), { from, what: `old worker ${pid} to exit` })));
    await eventually(() => clients.every(({ c }) => c.socket.connected && !oldPids.includes(c.pid)), 5000, 'every client on a new worker');
    clearInterval(talk);
    await eventually(() => clients.every(({ c }) => c.unacked.size === 0), 10_000, 'every echo acknowledged');
    for (const { c } of clients) {
      c.socket.close();
      expect(c.reasons.length).toBeGreaterThanOrEqual(1);
      expect(c.reasons.filter((r) => r !== 'io client disconnect')).toEqual(c.reasons.filter((r) => r !== 'io client disconnect').map(() => 'transport close'));
      expect(c.acked.size).toBe(c.sent);
    }
  });
});

describe('statefork/worker outside statefork', () => {
  it('under plain node, draining is a signal that never aborts', async () => {
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync(process.execPath, [fileURLToPath(new URL('../fixtures/apps/plain-draining.mjs', import.meta.url))], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ aborted: false, isSignal: true });
  });
});

describe('connections by kind, reported on the heartbeat', () => {
  it('statefork workers, the metrics and the inspector count WebSockets and streams per worker', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--inspector', '127.0.0.1:0', 'sse.mjs']);
    const metrics = (await m.waitFor((x) => typeof x.metrics === 'string')).metrics as string;
    const inspector = (await m.waitFor((x) => typeof x.inspector === 'string')).inspector as string;
    const sources = [new EventSource(`${m.url()}/events`), new EventSource(`${m.url()}/events`)];
    const workersJson = async () => {
      const r = startCli(['workers', '--json', '--control-socket', `/run/statefork/${m.pid}.sock`]);
      await r.exited;
      return JSON.parse(r.stdout) as Array<{ id: number; connections: { open: number; upgraded: number; streaming: number } }>;
    };
    // The workers report on their heartbeat: poll until the report is in, with a deadline.
    let listed = await workersJson();
    for (const deadline = Date.now() + 10_000; listed[0]?.connections.streaming !== 2 && Date.now() < deadline;) listed = await workersJson();
    expect(listed[0]).toMatchObject({ id: 1, connections: { open: 2, upgraded: 0, streaming: 2 } });
    const scrape = await (await fetch(metrics)).text();
    expect(scrape).toMatch(/statefork_worker_connections\{slot="1",kind="streaming"\} 2/);
    expect(scrape).toMatch(/statefork_worker_connections\{slot="1",kind="upgraded"\} 0/);
    expect(await (await fetch(new URL('/connections', inspector))).json()).toEqual({ 1: { open: 2, upgraded: 0, streaming: 2 } });
    for (const s of sources) s.close();
  });
});
