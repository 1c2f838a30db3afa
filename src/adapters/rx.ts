/**
 * The few RxJS pieces the worker's side needs, imported one module each. The 'rxjs' entry point
 * loads all of RxJS (about 100 ms on a busy 2-core machine, a third of a worker's start-up), and
 * every reload starts a whole generation of workers. RxJS 7 exports these paths
 * (`rxjs/internal/*` in its package.json); the master, started once, uses the entry point.
 */
export { Observable } from 'rxjs/internal/Observable';
export { fromEvent } from 'rxjs/internal/observable/fromEvent';
export { merge } from 'rxjs/internal/observable/merge';
export { interval } from 'rxjs/internal/observable/interval';
export { map } from 'rxjs/internal/operators/map';
