// The same h3 app (h3.mjs) through h3's own Node handler (srvx underneath), as a request
// listener: how an h3 app is fastest on Node, for comparison.
import { toNodeHandler } from 'h3';
import app from './h3.mjs';

export default toNodeHandler(app);
