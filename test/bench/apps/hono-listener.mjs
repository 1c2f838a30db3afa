// The same Hono app (hono.mjs) through @hono/node-server's request listener, exported as a plain
// request listener: what the fetch form is measured against.
import { getRequestListener } from '@hono/node-server';
import app from './hono.mjs';

export default getRequestListener(app.fetch);
