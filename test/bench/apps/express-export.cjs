// Express 5, exported: statefork serves `module.exports = app` as a request listener.
const express = require('express');
const app = express();
app.get('/', (req, res) => res.type('text/plain').send('Hello, world!'));
module.exports = app;
