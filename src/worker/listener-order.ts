import type { Server } from 'node:http';

/**
 * Runs `first` before the server's own listeners of `event`. With one listener there (the app's
 * handler, Node's connection listener), both become one function: an emitter with two listeners
 * copies its listener list on every emit, a cost paid per request and per connection.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an emitter's listener, as Node types it
export function before(server: Server, event: 'request' | 'connection', first: (...args: any[]) => void): void {
  const listeners = server.listeners(event) as Array<(...args: unknown[]) => void>;
  if (listeners.length !== 1) return void server.prependListener(event, first);
  const [only] = listeners;
  server.removeListener(event, only);
  server.on(event, function (this: Server, a: unknown, b: unknown) {
    first(a, b);
    only.call(this, a, b);
  });
}
