// The floor: what serving costs with no process manager at all. The parent binds the socket
// without listening (net._createServerHandle, the primitive Node's cluster module and statefork
// use) and starts BENCH_WORKERS children that listen({ fd: 3 }) on it and run the same app
// (floor-child.cjs). Nothing supervises, nothing is counted: every contender is measured
// against this. Prints "ready" once every child listens.
const net = require('node:net');
const path = require('node:path');
const { spawn } = require('node:child_process');

const handle = net._createServerHandle('127.0.0.1', Number(process.env.PORT), 4);
if (typeof handle === 'number') throw new Error(`cannot bind: ${handle}`);
const n = Number(process.env.BENCH_WORKERS || 2);
let listening = 0;
const children = [];
for (let i = 0; i < n; i++) {
  const child = spawn(process.execPath, [path.join(__dirname, 'floor-child.cjs')], { stdio: ['ignore', 'inherit', 'inherit', handle.fd, 'ipc'] });
  child.once('message', () => {
    child.disconnect(); // nothing between parent and child from here on
    if (++listening === n) console.log('ready');
  });
  children.push(child);
}
process.on('SIGTERM', () => {
  for (const c of children) c.kill('SIGTERM');
  process.exit(0);
});
