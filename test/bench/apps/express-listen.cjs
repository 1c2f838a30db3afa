// The same Express 5 app started as its docs start it, app.listen(port): statefork captures it.
const express = require('express');
const app = express();
app.get('/', (req, res) => res.type('text/plain').send('Hello, world!'));
app.listen(3000);
