/**
 * Packages that only one optional feature needs are optional peer dependencies: a user who
 * never asks for the feature never installs them (they are most of what `npm install` would
 * weigh). Asking for the feature without its package gets one line naming the package to add.
 */
const PEERS = {
  '@hono/node-server': 'serving an app that exports { fetch(request) }',
  '@statelyai/inspect': "--inspect-stately (forwarding to Stately's inspector)",
  '@viz-js/viz': 'drawing SVG (statefork visualize --format svg)',
  'prom-client': '--metrics (the Prometheus endpoint)',
} as const;

export type OptionalPeer = keyof typeof PEERS;

/** The one line for a feature asked for without its package. */
export function missingPeerMessage(name: OptionalPeer): string {
  return `${PEERS[name]} needs the package ${name}, which is not installed: npm install ${name}`;
}

/** Whether `e` says that the package `name` itself (not something inside it) cannot be found. */
export function isMissingPeer(e: unknown, name: OptionalPeer): boolean {
  const err = e as NodeJS.ErrnoException;
  return (
    (err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'MODULE_NOT_FOUND') && new RegExp(`['"]${name.replace('/', '\\/')}['"]`).test(err.message ?? '')
  );
}

/** Imports an optional peer; without it, throws what `fail` makes of the one line. */
export async function importPeer<T>(name: OptionalPeer, fail: (message: string) => Error, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    if (isMissingPeer(e, name)) throw fail(missingPeerMessage(name));
    throw e;
  }
}
