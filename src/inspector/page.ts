/**
 * The live inspector's page: plain HTML, CSS and one inline script (./page-script.ts); nothing
 * is loaded from anywhere but this server, so it works offline, and the server's
 * Content-Security-Policy (PAGE_HEADERS) holds it to that.
 */
import { PAGE_SCRIPT } from './page-script.js';

/** No resource from elsewhere, no framing (the controls must not be clicked through another page). */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

const STYLE = `
body{font:13px/1.35 system-ui,sans-serif;margin:0;color:#1a202c;background:#f7fafc}
header{padding:8px 14px;background:#2d3748;color:#fff;display:flex;gap:14px;align-items:center;flex-wrap:wrap}
header h1{font-size:15px;margin:0} #master-state{font-weight:bold;color:#9ae6b4} #conn{margin-left:auto;font-size:12px}
#controls,#replay{display:flex;gap:6px;align-items:center} #controls[hidden],#replay[hidden]{display:none}
button{font:inherit;padding:2px 8px;border:1px solid #a0aec0;border-radius:4px;background:#edf2f7;cursor:pointer}
header button{background:#4a5568;color:#fff;border-color:#718096} #token{width:9em;font:11px ui-monospace,monospace}
#control-result{font-size:12px} #control-result.refused{color:#feb2b2} #control-result.ok{color:#9ae6b4}
main{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:10px;padding:10px}
section{background:#fff;border:1px solid #e2e8f0;border-radius:6px;padding:8px;overflow:auto;min-width:0}
.wide{grid-column:1/-1}
h2{font-size:12px;margin:0 0 6px;text-transform:uppercase;color:#4a5568;display:flex;gap:10px;align-items:baseline}
h2 small{text-transform:none;font-weight:normal;color:#718096}
.diagram{overflow:hidden;cursor:grab;height:300px;border-radius:4px;background:#fcfcfd;touch-action:none}
.diagram .inner{transform-origin:0 0;width:100%;height:100%}
.diagram svg{width:100%;height:100%}
.diagram g.node.current polygon,.diagram g.node.current path,.diagram g.node.current ellipse{fill:#9ae6b4;stroke:#22543d;stroke-width:2.5}
.diagram g.edge.last path{stroke:#dd6b20;stroke-width:3;animation:pulse 1.2s ease-in-out 3}
.diagram g.edge.last polygon{fill:#dd6b20;stroke:#dd6b20} .diagram g.edge.last text{fill:#c05621;font-weight:bold}
.diagram text.who{font:bold 11px system-ui,sans-serif;fill:#2b6cb0}
@keyframes pulse{50%{stroke-width:6}}
#last-move{font-size:12px;color:#c05621}
table{border-collapse:collapse;width:100%;font-size:11px} td,th{padding:3px 3px;border-bottom:1px solid #edf2f7;text-align:left;white-space:nowrap}
svg.spark{width:36px;height:14px;vertical-align:middle} svg.spark polyline{fill:none;stroke:#3182ce;stroke-width:1.2}
#timeline{font:12px ui-monospace,monospace;max-height:260px;overflow:auto} #timeline div{padding:2px 0;border-bottom:1px dotted #edf2f7}
.cause{color:#2b6cb0} .move{color:#22543d} pre{margin:0;white-space:pre-wrap;font-size:12px}
#scrub{width:320px}
`;

export const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>statefork inspector</title><style>${STYLE}</style></head><body>
<header><h1>statefork inspector</h1><span>master: <span id="master-state">…</span></span><span id="count"></span>
<span id="controls" hidden><input id="token" placeholder="token" aria-label="control token" autocomplete="off">
<button id="scale-down" title="TTOU: one worker fewer">−1</button><button id="scale-up" title="TTIN: one worker more">+1</button>
<button id="reload" title="HUP">reload</button><button id="reopen" title="USR1: reopen the logs">reopen logs</button><button id="stop" title="TERM">stop</button>
<span id="control-result"></span></span>
<span id="replay" hidden><button id="back" title="one step back">◀</button><button id="play">play</button><button id="forward" title="one step on">▶</button>
<input id="scrub" type="range" min="0" max="0" value="0" aria-label="step"><span id="position"></span></span>
<span id="conn">connecting…</span></header>
<main>
<section class="wide"><h2>Master machine <small id="last-move"></small><small>wheel: zoom, drag: pan, double-click: fit</small></h2><div class="diagram" id="master-svg"></div></section>
<section><h2>Worker machine <small>each worker by id on its state</small></h2><div class="diagram" id="worker-svg"></div></section>
<section><h2>Workers <small>heartbeat: the master's latest check</small></h2><table><thead><tr><th>id</th><th>pid</th><th>gen</th><th>state</th><th>uptime</th><th title="time since its last heartbeat, at the master's latest check">beat</th><th>requests</th><th>req/s</th><th>RSS</th><th title="event-loop utilisation, p99 delay">loop</th><th title="open connections (of them WebSocket, streaming)">conns</th><th></th></tr></thead><tbody id="workers"></tbody></table></section>
<section><h2>Timeline <select id="filter-cause" aria-label="cause"><option value="">every cause</option></select><input id="filter-worker" size="6" placeholder="worker id" aria-label="worker"></h2><div id="timeline"></div></section>
<section><h2>Worker count</h2><pre id="scaling">fixed</pre><h2 style="margin-top:10px">Last hang</h2><pre id="hang">none</pre></section>
</main>
<script>${PAGE_SCRIPT}</script></body></html>
`;
