// A WebSocket echo server (ws) as an http.Server. On draining it says goodbye with 1001, unless
// IGNORE_DRAIN=1: then it keeps its clients until statefork's own bound ends them.
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { draining } from 'statefork/worker';

const server = http.createServer((req, res) => res.end(`plain ${process.pid}\n`));
const wss = new WebSocketServer({ server });
wss.on('connection', (ws) => {
  ws.send(JSON.stringify({ hello: process.pid }));
  ws.on('message', (data) => ws.send(String(data)));
});
if (process.env.IGNORE_DRAIN !== '1') {
  draining.addEventListener('abort', () => {
    for (const ws of wss.clients) ws.close(1001, `draining: ${draining.reason}`);
  });
}
export default server;
