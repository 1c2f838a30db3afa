// A Hono app in the fetch form: the same 13-byte body as hello.cjs.
import { Hono } from 'hono';

const app = new Hono();
app.get('/', (c) => c.text('Hello, world!'));
export default app;
