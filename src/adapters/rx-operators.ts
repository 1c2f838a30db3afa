/**
 * The RxJS pieces the master uses, imported one module each: the 'rxjs' entry point loads every
 * operator there is (measured: about 80 ms of the master's start, against 40 ms for these), and
 * a master starts on every deploy's hot upgrade and every restart. RxJS 7 exports these paths
 * (`rxjs/internal/*` in its package.json). The worker's side has its own, smaller list
 * (./rx.ts).
 */
/* eslint-disable @typescript-eslint/no-deprecated -- each of these has one deprecated overload (a scheduler, a thisArg, a resultSelector); the rule flags the name, and this code calls none of those overloads. */
export { Observable } from 'rxjs/internal/Observable';
export { Subject } from 'rxjs/internal/Subject';
export { EMPTY } from 'rxjs/internal/observable/empty';
export { of } from 'rxjs/internal/observable/of';
export { merge } from 'rxjs/internal/observable/merge';
export { interval } from 'rxjs/internal/observable/interval';
export { fromEvent } from 'rxjs/internal/observable/fromEvent';
export { map } from 'rxjs/internal/operators/map';
export { mergeMap } from 'rxjs/internal/operators/mergeMap';
export { tap } from 'rxjs/internal/operators/tap';
export { take } from 'rxjs/internal/operators/take';
export { buffer } from 'rxjs/internal/operators/buffer';
export { debounceTime } from 'rxjs/internal/operators/debounceTime';
export { share } from 'rxjs/internal/operators/share';
