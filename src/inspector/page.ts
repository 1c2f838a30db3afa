/** The live inspector's page: plain HTML, CSS and a small script; everything served by statefork. */
export const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>statefork inspector</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1a202c;background:#fff}
header{padding:10px 16px;background:#2d3748;color:#fff;display:flex;gap:16px;align-items:baseline}
header h1{font-size:16px;margin:0} #master-state{font-weight:bold;color:#9ae6b4} #conn{margin-left:auto;font-size:12px}
main{display:grid;grid-template-columns:1fr 1fr;gap:12px;padding:12px}
section{border:1px solid #e2e8f0;border-radius:6px;padding:8px;overflow:auto}
h2{font-size:13px;margin:0 0 6px;text-transform:uppercase;color:#4a5568}
.diagram svg{max-width:100%;height:auto}
.diagram g.node.current polygon,.diagram g.node.current path,.diagram g.node.current ellipse{fill:#9ae6b4;stroke:#22543d;stroke-width:2}
table{border-collapse:collapse;width:100%;font-size:13px} td,th{padding:3px 6px;border-bottom:1px solid #edf2f7;text-align:left}
#timeline{font:12px ui-monospace,monospace;max-height:340px} #timeline div{padding:2px 0;border-bottom:1px dotted #edf2f7}
.cause{color:#2b6cb0} .move{color:#22543d}
</style></head><body>
<header><h1>statefork inspector</h1><span>master: <span id="master-state">…</span></span><span id="count"></span><span id="conn">connecting…</span></header>
<main>
<section><h2>Master machine</h2><div class="diagram" id="master-svg"></div></section>
<section><h2>Worker machine (workers by state)</h2><div class="diagram" id="worker-svg"></div></section>
<section><h2>Last hang</h2><pre id="hang">none</pre></section>
<section><h2>Worker count</h2><pre id="scaling">fixed</pre></section>
<section><h2>Workers</h2><table><thead><tr><th>id</th><th>pid</th><th>gen</th><th>state</th><th>age</th><th>heartbeat</th><th>requests</th><th title="open connections (WebSocket, streaming)">connections</th><th title="event-loop utilisation, p99 delay, heap">load</th></tr></thead><tbody id="workers"></tbody></table></section>
<section><h2>Timeline</h2><div id="timeline"></div></section>
</main>
<script>
const PHASE_TO_STATE={spawning:'booting',booting:'booting',ready:'ready',draining:'draining',quitting:'quitting',aborting:'aborting'};
let last=null;let requests={};let conns={};let loads={};
async function load(id,url){document.getElementById(id).innerHTML=await (await fetch(url)).text();}
function highlight(id,names){for(const g of document.querySelectorAll('#'+id+' g.node')){const t=g.querySelector('title');g.classList.toggle('current',!!t&&names.has(t.textContent));}}
const secs=(ms)=>ms==null?'–':(ms/1000).toFixed(1)+' s';
function render(){if(!last)return;const now=last.now+(Date.now()-last.at);
document.getElementById('master-state').textContent=last.master.to;
document.getElementById('count').textContent=last.workers.length+' workers';
highlight('master-svg',new Set([last.master.to]));
highlight('worker-svg',new Set(last.workers.map(w=>PHASE_TO_STATE[w.phase]).filter(Boolean)));
document.getElementById('workers').innerHTML=last.workers.map(w=>'<tr data-phase="'+w.phase+'"><td>'+w.id+'</td><td>'+(w.pid??'')+'</td><td>'+w.generation+'</td><td class="phase">'+w.phase+'</td><td>'+secs(now-w.spawnedAt)+'</td><td>'+(w.readyAt==null?'–':secs(now-w.beatAt))+'</td><td class="requests">'+(requests[w.id]??0)+'</td><td class="connections">'+(c=>c?c.open+' ('+c.upgraded+' ws, '+c.streaming+' streams)':'–')(conns[w.id])+'</td><td class="load">'+(l=>l?Math.round(l.elu*100)+'%, '+l.delayP99Ms+' ms, '+(l.heapUsedBytes/1048576).toFixed(1)+' MiB':'–')(loads[w.id])+'</td></tr>').join('');}
async function poll(){try{requests=await (await fetch('/requests')).json();conns=await (await fetch('/connections')).json();loads=await (await fetch('/load')).json();const sc=await (await fetch('/scaling')).json();document.getElementById('scaling').textContent=sc.now?sc.now.target+' workers, adaptive '+sc.now.min+':'+sc.now.max+' (max from '+sc.now.maxReason+'); queued '+sc.now.queues.map(q=>q.socket+' '+(q.waiting??'–')).join(', ')+'; mean loop '+(sc.now.meanElu==null?'–':Math.round(sc.now.meanElu*100)+'%')+'\\n'+sc.decisions.map(d=>new Date(d.at).toISOString()+' '+d.direction+' '+d.from+' → '+d.to+' ('+d.reason+', queued '+d.queued+', loop '+(d.meanElu==null?'–':Math.round(d.meanElu*100)+'%')+')').join('\\n'):'fixed';const h=await (await fetch('/hang')).json();document.getElementById('hang').textContent=h?'worker '+h.id+' (pid '+h.workerPid+') at '+new Date(h.at).toISOString()+'\\n'+(h.stack.length?h.stack.join('\\n'):h.note)+'\\n'+h.threads.map(t=>t.tid+' '+t.name+' '+t.state+' '+t.wchan+' '+t.syscall).join('\\n'):'none';}catch{}render();}
function addTimeline(s){const d=document.createElement('div');const t=new Date(s.at).toISOString().slice(11,23);
const moves=[s.master.from!==s.master.to?'master '+(s.master.from??'start')+' → '+s.master.to:null,...s.changes.map(c=>'worker '+c.id+' '+c.from+' → '+c.to)].filter(Boolean);
d.innerHTML=t+' <span class="cause">'+s.cause+'</span> <span class="move">'+moves.join('; ')+'</span>';
const tl=document.getElementById('timeline');tl.insertBefore(d,tl.firstChild);while(tl.children.length>500)tl.lastChild.remove();}
Promise.all([load('master-svg','/master.svg'),load('worker-svg','/worker.svg')]).then(()=>{
const es=new EventSource('/events');
es.onopen=()=>{document.getElementById('conn').textContent='live';};
es.onerror=()=>{document.getElementById('conn').textContent='reconnecting…';};
es.addEventListener('reset',()=>{document.getElementById('timeline').innerHTML='';});
es.onmessage=(m)=>{const s=JSON.parse(m.data);last=s;addTimeline(s);render();};
setInterval(poll,1000);});
</script></body></html>
`;
