// The stop-under-load app: every request holds the worker's event loop for BUSY_MS (20 ms by
// default), so with a few hundred requests sent at once some are being served, some accepted
// and waiting, and some still queued in the kernel when the stop signal arrives.
const ms = Number(process.env.BUSY_MS || 20);
let served = 0;

module.exports = (req, res) => {
  const until = Date.now() + ms;
  while (Date.now() < until);
  if (++served === 1) process.stderr.write(JSON.stringify({ app: 'serving', pid: process.pid }) + '\n');
  res.end('done');
};
