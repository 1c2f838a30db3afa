/**
 * The README's long-lived connection recipes, run as written: each `// recipe: NAME` block is
 * written to test-output/recipes/ (inside the package, so `statefork/worker` resolves as it does
 * for a user's app), served by statefork, and drained by a HUP under a real client.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EventSource } from 'eventsource';
import { eventually, isTransition, startServing } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(`${ROOT}docs/connections.md`, 'utf8');
const RECIPES = Object.fromEntries([...README.matchAll(/```js\n\/\/ recipe: (\S+)\n([\s\S]*?)```/g)].map((m) => [m[1], m[2]]));

function recipe(name: string): string {
  expect(Object.keys(RECIPES)).toContain(name);
  const dir = `${ROOT}test-output/recipes`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/${name}`, RECIPES[name]);
  return `${dir}/${name}`;
}

async function served(name: string) {
  const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', recipe(name)]);
  const hup = async () => {
    const from = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor(isTransition('master', 'serving.running'), { from, what: 'the reload to complete', timeoutMs: 15_000 });
  };
  return { m, hup };
}

describe('README recipes', () => {
  it('has the three recipes', () => {
    expect(Object.keys(RECIPES).sort()).toEqual(['socketio.mjs', 'sse.mjs', 'ws.mjs']);
  });

  it('ws.mjs: echoes; on HUP the client gets 1001 and talks to the new worker', async () => {
    const { m, hup } = await served('ws.mjs');
    const open = () =>
      new Promise<WebSocket>((ok, fail) => {
        const ws = new WebSocket(m.url().replace(/^http/, 'ws'));
        ws.once('open', () => ok(ws)).once('error', fail);
      });
    const echo = (ws: WebSocket, text: string) =>
      new Promise<string>((ok) => {
        ws.once('message', (d) => ok(String(d)));
        ws.send(text);
      });
    const ws = await open();
    expect(await echo(ws, 'before')).toBe('before');
    const closed = new Promise<[number, string]>((ok) => ws.once('close', (code, reason) => ok([code, String(reason)])));
    await hup();
    expect(await closed).toEqual([1001, 'server restarting']);
    const again = await open();
    expect(await echo(again, 'after')).toBe('after');
    again.close();
  });

  it('socketio.mjs: acknowledges; on HUP the client reconnects by itself and is acknowledged again', async () => {
    const { io } = await import('socket.io-client');
    const { m, hup } = await served('socketio.mjs');
    const socket = io(m.url(), { transports: ['websocket'], reconnectionDelay: 50 });
    const reasons: string[] = [];
    socket.on('disconnect', (reason) => reasons.push(reason));
    await new Promise<void>((ok) => socket.once('connect', () => ok()));
    expect(await socket.emitWithAck('echo', 'before')).toBe('before');
    await hup();
    await eventually(() => reasons.length > 0 && socket.connected, 10_000, 'the client to reconnect');
    expect(reasons).toEqual(['transport close']);
    expect(await socket.emitWithAck('echo', 'after')).toBe('after');
    socket.close();
  });

  it('sse.mjs: on HUP the stream resumes on the new worker from its Last-Event-ID, nothing lost or repeated', async () => {
    const { m, hup } = await served('sse.mjs');
    const ids: number[] = [];
    const source = new EventSource(m.url());
    source.onmessage = (e) => ids.push(Number(e.lastEventId));
    await eventually(() => ids.length >= 2, 10_000, 'the first events');
    const [oldPid] = m.workerPids();
    await hup();
    await eventually(() => !m.workerPids().includes(oldPid), 10_000, 'the old worker to go');
    const at = ids.length;
    await eventually(() => ids.length >= at + 2, 10_000, 'events from the new worker');
    source.close();
    expect(ids).toEqual(ids.map((_, i) => i + 1));
  });
});
