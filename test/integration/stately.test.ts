/** --inspect-stately: the inspection events reach a WebSocket relay in Stately's format. */
import { describe, expect, it } from 'vitest';
import { startServing } from '../helpers/cli.js';

describe('forwarding to a Stately inspector relay', () => {
  it('sends the actor, its events and its snapshots over WebSocket', async () => {
    const { WebSocketServer } = (await import('ws')) as { WebSocketServer: new (o: object) => any };
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((ok) => wss.once('listening', ok));
    const frames: any[] = [];
    const seen = new Promise<void>((resolve) => {
      wss.on('connection', (socket: any) =>
        socket.on('message', (data: Buffer) => {
          frames.push(JSON.parse(String(data)));
          if (frames.some((f) => f.type === '@xstate.snapshot' && JSON.stringify(f.snapshot?.value) === '{"serving":"running"}')) resolve();
        }),
      );
    });
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--inspect-stately', `ws://127.0.0.1:${wss.address().port}`, 'hello.cjs']);
    await seen;
    const actor = frames.find((f) => f.type === '@xstate.actor');
    expect(actor.definition).toContain('"id":"master"');
    expect(frames.some((f) => f.type === '@xstate.event' && f.event?.type === 'WORKER_READY')).toBe(true);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
    wss.close();
  });

  it('refuses an address that is not a WebSocket one', async () => {
    const { startCli } = await import('../helpers/cli.js');
    const r = startCli(['--inspect-stately', 'http://x', 'hello.cjs']);
    expect((await r.exited).code).toBe(2);
    expect(r.stderrText()).toBe(
      "statefork: error: invalid --inspect-stately 'http://x': expected a WebSocket address (e.g. --inspect-stately ws://127.0.0.1:8080)\n",
    );
  });
});
