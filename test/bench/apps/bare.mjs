// The footprint baseline: a bare Node process that loads the same libraries as statefork's
// master (xstate, rxjs, pino, commander) and then idles.
import 'xstate';
import 'rxjs';
import 'pino';
import 'commander';

setInterval(() => {}, 1000);
console.log('ready');
