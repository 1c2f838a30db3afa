// One process serving a benchmark app (BENCH_APP, hello.cjs by default) on PORT: the single-node
// baseline, a pm2 cluster-mode instance, and a worker of Node's cluster module all run this file.
const http = require('node:http');
const handler = require(`./${process.env.BENCH_APP || 'hello.cjs'}`);

const server = http.createServer(handler);
server.listen(Number(process.env.PORT), '127.0.0.1', () => {
  if (process.send) process.send('listening');
  else console.log('listening');
});
