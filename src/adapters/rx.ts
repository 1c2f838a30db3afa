/**
 * The one RxJS piece the worker's side needs, imported alone. The 'rxjs' entry point loads all
 * of RxJS, and even its operators cost each worker about 3 MiB of private memory and tens of ms
 * of start-up (measured: see the README's worker footprint); every reload starts a whole
 * generation of workers. RxJS 7 exports this path (`rxjs/internal/*` in its package.json); the
 * master, started once, uses the entry point.
 */
export { Observable } from 'rxjs/internal/Observable';
