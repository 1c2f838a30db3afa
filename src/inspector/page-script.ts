/**
 * The inspector page's script (served inline by ./page.ts: the page loads nothing from anywhere
 * else). Every figure and name is set as text (textContent, createElement): a recording or a
 * worker's report can hold any string, and none of it is ever parsed as HTML. What a worker wrote
 * (a hang stack's frames, a thread's name) is also shown with its control characters escaped, as
 * the master logs it (machines/untrusted-text.ts): a newline in a function name cannot forge a
 * line of the stack, even from a recording made elsewhere. Only the diagrams, drawn by statefork
 * itself from the machine definitions, are inserted as SVG markup.
 */
import { CONTROLS_SOURCE } from '../../machines/untrusted-text.js';

export const PAGE_SCRIPT = String.raw`
'use strict';
const $ = (id) => document.getElementById(id);
const escapedText = (s) => String(s).replace(/${CONTROLS_SOURCE}/g, (c) => { const n = c.charCodeAt(0); return n <= 0xff ? '\\x' + n.toString(16).padStart(2, '0') : '\\u{' + n.toString(16) + '}'; });
const PHASE_TO_STATE = { spawning: 'booting', booting: 'booting', ready: 'ready', draining: 'draining', quitting: 'quitting', aborting: 'aborting' };
const state = { mode: { replay: false, controls: false }, steps: [], at: -1, live: null, history: {}, requests: {}, conns: {}, loads: {}, playing: null };
const token = new URLSearchParams(location.hash.slice(1)).get('token') || '';

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else if (k === 'dataset') Object.assign(e.dataset, v); else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}
const secs = (ms) => (ms === null || ms === undefined ? '–' : (ms / 1000).toFixed(1) + ' s');
const mib = (b) => (b === null || b === undefined ? '–' : (b / 1048576).toFixed(0) + ' MiB');
const pct = (x) => (x === null || x === undefined ? '–' : Math.round(x * 100) + '%');
const getJson = async (url) => (await fetch(url, { cache: 'no-store' })).json();

/** A small line of the last values (null: a gap), as SVG built node by node. */
function spark(values) {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('class', 'spark'); svg.setAttribute('viewBox', '0 0 60 16'); svg.setAttribute('preserveAspectRatio', 'none');
  const nums = values.filter((v) => typeof v === 'number');
  if (nums.length > 1) {
    const max = Math.max(...nums) || 1;
    const pts = values.map((v, i) => (typeof v === 'number' ? (i * 60 / Math.max(1, values.length - 1)).toFixed(1) + ',' + (15 - 14 * v / max).toFixed(1) : null)).filter(Boolean);
    const line = document.createElementNS(NS, 'polyline');
    line.setAttribute('points', pts.join(' '));
    svg.append(line);
  }
  return svg;
}

// ---- diagrams: zoom and pan, the active state, the last transition, workers on their states
function zoomable(box) {
  const inner = box.firstElementChild;
  let scale = 1, x = 0, y = 0, drag = null;
  const apply = () => { inner.style.transform = 'translate(' + x + 'px,' + y + 'px) scale(' + scale + ')'; };
  box.addEventListener('wheel', (e) => { e.preventDefault(); const k = e.deltaY < 0 ? 1.15 : 1 / 1.15; scale = Math.min(6, Math.max(0.3, scale * k)); apply(); }, { passive: false });
  box.addEventListener('pointerdown', (e) => { drag = { sx: e.clientX - x, sy: e.clientY - y }; box.setPointerCapture(e.pointerId); });
  box.addEventListener('pointermove', (e) => { if (drag) { x = e.clientX - drag.sx; y = e.clientY - drag.sy; apply(); } });
  box.addEventListener('pointerup', () => { drag = null; });
  box.addEventListener('dblclick', () => { scale = 1; x = 0; y = 0; apply(); });
}
async function loadDiagram(id, url) {
  const box = $(id);
  const inner = el('div', { class: 'inner' });
  // The one markup insertion: statefork's own SVG, drawn from the machine definitions.
  inner.innerHTML = await (await fetch(url)).text();
  box.replaceChildren(inner);
  zoomable(box);
}
function nodeTitle(g) { const t = g.querySelector('title'); return t ? t.textContent : ''; }
function highlight(id, names) { for (const g of document.querySelectorAll('#' + id + ' g.node')) g.classList.toggle('current', names.has(nodeTitle(g))); }
/** Edges carry id "t:FROM:TO" (compound states by their path): the most specific one that covers the move. */
// The edge a move took: the most specific one from its state to its state, and of those the one
// drawn for its cause.
function markTransition(from, to, cause) {
  let best = null, score = -1;
  for (const g of document.querySelectorAll('#master-svg g.edge')) {
    g.classList.remove('last');
    const m = /^t:(.*):(.*)$/.exec(g.id || '');
    if (!m || from === null) continue;
    const covers = (path, s) => path === '' || s === path || s.startsWith(path + '.');
    if (covers(m[1], from) && covers(m[2], to) && m[1] !== m[2]) {
      const s = 2 * (m[1].length + m[2].length) + (g.classList.contains('ev_' + cause) ? 1 : 0);
      if (s > score) { best = g; score = s; }
    }
  }
  if (best) best.classList.add('last');
}
function placeWorkers(workers) {
  const NS = 'http://www.w3.org/2000/svg';
  for (const old of document.querySelectorAll('#worker-svg text.who')) old.remove();
  const by = {};
  for (const w of workers) { const s = PHASE_TO_STATE[w.phase]; if (s) (by[s] = by[s] || []).push('#' + w.id); }
  for (const g of document.querySelectorAll('#worker-svg g.node')) {
    const ids = by[nodeTitle(g)];
    if (!ids) continue;
    const b = g.getBBox();
    const t = document.createElementNS(NS, 'text');
    t.setAttribute('class', 'who'); t.setAttribute('x', String(b.x + b.width / 2)); t.setAttribute('y', String(b.y - 3)); t.setAttribute('text-anchor', 'middle');
    t.textContent = ids.join(' ');
    g.append(t);
  }
}

// ---- what is shown: the live master, or the recording at the scrubber's step
function shownStep() { return state.mode.replay ? state.steps[state.at] || null : state.steps[state.steps.length - 1] || null; }
function shownWorkers() {
  if (!state.mode.replay && state.live) return state.live.workers;
  const s = shownStep();
  if (!s) return [];
  return s.workers.map((w) => ({ ...w, ageMs: s.now - w.spawnedAt, beatAgeMs: w.readyAt === null ? null : s.now - w.beatAt }));
}
function renderMaster() {
  const s = shownStep();
  const masterState = (!state.mode.replay && state.live && state.live.state) || (s && s.master.to) || '…';
  $('master-state').textContent = masterState;
  highlight('master-svg', new Set([masterState]));
  const moved = lastMove();
  $('last-move').textContent = moved ? 'last move: ' + moved.cause + ', ' + (moved.master.from || 'start') + ' → ' + moved.master.to : '';
  markTransition(moved ? moved.master.from : null, moved ? moved.master.to : null, moved ? moved.cause : null);
}
// The latest step up to the one shown in which the master changed state: the one the diagram marks.
function lastMove() {
  const upto = state.mode.replay ? state.at : state.steps.length - 1;
  for (let i = upto; i >= 0; i--) if (state.steps[i].master.from !== state.steps[i].master.to) return state.steps[i];
  return null;
}
function renderWorkers() {
  const workers = shownWorkers();
  $('count').textContent = workers.length + ' workers';
  highlight('worker-svg', new Set(workers.map((w) => PHASE_TO_STATE[w.phase]).filter(Boolean)));
  placeWorkers(workers);
  const rows = workers.map((w) => {
    const h = state.history[w.id] || [];
    const l = state.loads[w.id];
    const c = state.conns[w.id];
    const kill = state.mode.controls ? el('button', { class: 'kill', title: 'TERM this worker (the master replaces it)', onclick: () => control('kill', { pid: w.pid }) }, 'kill') : '';
    return el('tr', { dataset: { phase: w.phase, id: String(w.id) } },
      el('td', {}, w.id), el('td', {}, w.pid === null ? '' : w.pid), el('td', {}, w.generation), el('td', { class: 'phase' }, w.phase),
      el('td', {}, secs(w.ageMs)), el('td', { class: 'beat' }, secs(w.beatAgeMs)),
      el('td', { class: 'requests' }, state.requests[w.id] || 0),
      el('td', { class: 'rps' }, h.length ? (h[h.length - 1].rps ?? '–') : '–', ' ', spark(h.map((p) => p.rps))),
      el('td', { class: 'rss' }, mib(h.length ? h[h.length - 1].rssBytes : null), ' ', spark(h.map((p) => p.rssBytes))),
      el('td', { class: 'load' }, l ? pct(l.elu) + ', ' + l.delayP99Ms.toFixed(1) + ' ms' : '–', ' ', spark(h.map((p) => p.elu)), spark(h.map((p) => p.delayP99Ms))),
      el('td', { class: 'connections', title: 'open (of them WebSocket, streaming)' }, c ? c.open + ' (' + c.upgraded + ', ' + c.streaming + ')' : '–', ' ', spark(h.map((p) => p.open))),
      el('td', {}, kill));
  });
  $('workers').replaceChildren(...rows);
}

// ---- timeline, filterable by cause and by worker
function moves(s) {
  return [s.master.from !== s.master.to ? 'master ' + (s.master.from || 'start') + ' → ' + s.master.to : null, ...s.changes.map((c) => 'worker ' + c.id + ' ' + c.from + ' → ' + c.to)].filter(Boolean).join('; ');
}
function renderTimeline() {
  const cause = $('filter-cause').value, worker = $('filter-worker').value.trim();
  const upto = state.mode.replay ? state.at + 1 : state.steps.length;
  const causes = new Set(state.steps.map((s) => s.cause));
  const select = $('filter-cause');
  if (select.options.length - 1 !== causes.size) {
    select.replaceChildren(el('option', { value: '' }, 'every cause'), ...[...causes].sort().map((c) => el('option', { value: c }, c)));
    select.value = causes.has(cause) ? cause : '';
  }
  const shown = state.steps.slice(0, upto).filter((s) => (!cause || s.cause === cause) && (!worker || s.changes.some((c) => String(c.id) === worker))).slice(-500).reverse();
  $('timeline').replaceChildren(...shown.map((s) => el('div', {}, new Date(s.at).toISOString().slice(11, 23) + ' ', el('span', { class: 'cause' }, s.cause), ' ', el('span', { class: 'move' }, moves(s)))));
}
function renderAll() { renderMaster(); renderWorkers(); renderTimeline(); }

// ---- figures polled from the master (live only)
async function poll() {
  try {
    const [live, history, requests, conns, loads, sc, hang] = await Promise.all(['/workers', '/history', '/requests', '/connections', '/load', '/scaling', '/hang'].map(getJson));
    Object.assign(state, { live, history, requests, conns, loads });
    $('scaling').textContent = sc.now ? sc.now.target + ' workers, adaptive ' + sc.now.min + ':' + sc.now.max + ' (max from ' + sc.now.maxReason + '); queued ' + sc.now.queues.map((q) => q.socket + ' ' + (q.waiting ?? '–')).join(', ') + '; mean loop ' + pct(sc.now.meanElu) + '\n' + sc.decisions.map((d) => new Date(d.at).toISOString() + ' ' + d.direction + ' ' + d.from + ' → ' + d.to + ' (' + d.reason + ', queued ' + d.queued + ', loop ' + pct(d.meanElu) + ')').join('\n') : 'fixed';
    $('hang').textContent = hang ? 'worker ' + hang.id + ' (pid ' + hang.workerPid + ') at ' + new Date(hang.at).toISOString() + '\n' + (hang.stack.length ? hang.stack.map(escapedText).join('\n') : escapedText(hang.note)) + '\n' + hang.threads.map((t) => t.tid + ' ' + escapedText(t.name) + ' ' + t.state + ' ' + t.wchan + ' ' + t.syscall).join('\n') : 'none';
  } catch { /* the master is restarting or gone: the stream says so */ }
  renderMaster(); renderWorkers();
}

// ---- controls (--inspector-controls): the same commands as the CLI, with the run's token
async function control(command, args) {
  const out = $('control-result');
  try {
    const res = await fetch('/control', { method: 'POST', headers: { 'content-type': 'application/json', 'x-statefork-token': $('token').value }, body: JSON.stringify({ command, args }) });
    const body = await res.json();
    out.textContent = command + ': ' + (body.ok ? JSON.stringify(body.data) : body.error.message);
    out.className = body.ok ? 'ok' : 'refused';
  } catch (e) { out.textContent = command + ': ' + e.message; out.className = 'refused'; }
}
function setupControls() {
  $('controls').hidden = false;
  $('token').value = token;
  $('scale-up').onclick = () => control('scale', { workers: '+1' });
  $('scale-down').onclick = () => control('scale', { workers: '-1' });
  $('reload').onclick = () => control('reload', {});
  $('reopen').onclick = () => control('reopen', {});
  $('stop').onclick = () => { if (confirm('Stop the master gracefully?')) control('stop', {}); };
}

// ---- replay: play, pause, step, jump
function setupReplay() {
  $('replay').hidden = false;
  $('conn').textContent = 'replay';
  const scrub = $('scrub');
  scrub.max = String(Math.max(0, state.steps.length - 1));
  const go = (i) => { state.at = Math.max(0, Math.min(state.steps.length - 1, i)); scrub.value = String(state.at); $('position').textContent = (state.at + 1) + ' / ' + state.steps.length; renderAll(); };
  const pause = () => { clearInterval(state.playing); state.playing = null; $('play').textContent = 'play'; };
  scrub.oninput = () => go(Number(scrub.value));
  $('back').onclick = () => { pause(); go(state.at - 1); };
  $('forward').onclick = () => { pause(); go(state.at + 1); };
  $('play').onclick = () => {
    if (state.playing) return pause();
    if (state.at >= state.steps.length - 1) go(0);
    $('play').textContent = 'pause';
    state.playing = setInterval(() => (state.at >= state.steps.length - 1 ? pause() : go(state.at + 1)), 400);
  };
  go(0);
}

async function start() {
  state.mode = await getJson('/mode');
  $('filter-cause').onchange = renderTimeline;
  $('filter-worker').oninput = renderTimeline;
  await Promise.all([loadDiagram('master-svg', '/master.svg'), loadDiagram('worker-svg', '/worker.svg')]);
  if (state.mode.replay) {
    state.steps = await getJson('/steps');
    return setupReplay();
  }
  if (state.mode.controls) setupControls();
  const es = new EventSource('/events');
  es.onopen = () => { $('conn').textContent = 'live'; };
  es.onerror = () => { $('conn').textContent = 'reconnecting…'; };
  es.addEventListener('reset', () => { state.steps = []; });
  es.onmessage = (m) => { state.steps.push(JSON.parse(m.data)); if (state.steps.length > 500) state.steps.shift(); renderAll(); };
  setInterval(poll, 1000);
  poll();
}
start();
`;
