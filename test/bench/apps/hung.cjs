// The hung-worker trial app: "/" answers with the worker's pid; "/hang" blocks the event loop
// for good, and says so first on stderr (a JSON line) so the bench starts its clock then.
module.exports = (req, res) => {
  if (req.url === '/hang') {
    process.stderr.write(JSON.stringify({ app: 'hang', pid: process.pid }) + '\n');
    for (;;);
  }
  res.end(String(process.pid));
};
