// An h3 (v2) app in the fetch form: the same 13-byte body as hello.cjs.
import { H3 } from 'h3';

const app = new H3();
app.get('/', () => 'Hello, world!');
export default app;
