// The benchmark app: a 13-byte body, in the request-listener form every contender can load.
// With BENCH_COUNTS=<dir>, each process writes how many requests it served to <dir>/<pid>
// a few times a second, so the bench can tell how evenly the load spread over the workers.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

let served = 0;
const dir = process.env.BENCH_COUNTS;
if (dir) {
  let written = -1;
  const flush = () => {
    if (served === written) return;
    written = served;
    writeFileSync(join(dir, String(process.pid)), String(served));
  };
  setInterval(flush, 100).unref();
  process.on('exit', flush);
}

module.exports = (req, res) => {
  served++;
  res.setHeader('content-type', 'text/plain');
  res.end('Hello, world!');
};
