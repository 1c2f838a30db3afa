// Node's cluster module as people use it: the primary forks BENCH_WORKERS workers running
// listen.cjs, with BENCH_SCHED=rr (the default on Linux: the primary accepts and hands out
// connections) or none (the workers accept on a shared socket, as statefork's do).
// Prints "ready" once every worker listens.
const cluster = require('node:cluster');
const path = require('node:path');

cluster.schedulingPolicy = process.env.BENCH_SCHED === 'none' ? cluster.SCHED_NONE : cluster.SCHED_RR;
cluster.setupPrimary({ exec: path.join(__dirname, 'listen.cjs') });
const n = Number(process.env.BENCH_WORKERS || 2);
let listening = 0;
for (let i = 0; i < n; i++) {
  cluster.fork().on('listening', () => {
    if (++listening === n) console.log('ready');
  });
}
