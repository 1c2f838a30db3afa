// A child of the floor (floor.cjs): the benchmark app (BENCH_APP, hello.cjs by default) on the
// inherited socket, fd 3, and nothing else.
const http = require('node:http');
const handler = require(`./${process.env.BENCH_APP || 'hello.cjs'}`);

http.createServer(handler).listen({ fd: 3 }, () => process.send('listening'));
process.on('SIGTERM', () => process.exit(0));
