import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { masterMachine } from '../../machines/master.machine.js';
import { workerMachine } from '../../machines/worker.machine.js';
import { allStates, shapeOf } from '../../visualize/graph.js';
import { toMermaid } from '../../visualize/mermaid.js';
import { compactLabel, eventClasses, toDot } from '../../visualize/dot.js';
import { render } from '../../visualize/render.js';
import { readmeWithDiagrams } from '../../visualize/update-readme.js';
import { CLI } from '../helpers/cli.js';

const ROOT = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');

describe('diagrams from the machine definitions', () => {
  it('the shape has every state and every transition of the master, with guards and eventless ones', () => {
    const shape = shapeOf(masterMachine);
    expect(allStates(shape).map((s) => s.id)).toEqual([
      'booting',
      'serving',
      'serving.running',
      'serving.handedOver',
      'serving.reloading',
      'serving.reloading.configuring',
      'serving.reloading.rolling',
      'stopping',
      'stopping.graceful',
      'stopping.quick',
      'halted',
    ]);
    const label = (from: string, to: string) => shape.edges.find((e) => e.from === from && e.to === to)?.label;
    expect(label('booting', 'serving')).toBe('WORKER_EXIT [siblingCannotBoot], always [allReady]');
    expect(label('booting', 'stopping.quick')).toBe('INT, QUIT, WORKER_EXIT [appCannotLoadAtStart], WORKER_EXIT [workerCannotBootAtStart]');
    expect(label('booting', 'stopping.graceful')).toBe('TERM, FAULT');
    expect(label('serving.reloading.rolling', 'serving.running')).toBe('WORKER_EXIT [exitIsNewGenerationBootFailure], always [noStaleWorkers]');
    expect(label('serving.running', 'serving.reloading')).toBe('HUP, always [reloadQueued]');
    expect(label('stopping', 'halted')).toBe('always [noWorkersLeft]');
    expect(label('stopping.graceful', 'stopping.quick')).toBe('INT, QUIT');
    expect(label('serving.running', 'serving.handedOver')).toBe('WINCH [upgradeRunning]');
    expect(label('serving', 'stopping.graceful')).toBe('UPGRADE_READY [upgradeAuto], TERM, FAULT');
  });

  it('Mermaid text declares each state once and draws each edge, nested as defined', () => {
    const text = toMermaid(shapeOf(workerMachine));
    expect(text.startsWith('stateDiagram-v2\n  [*] --> booting\n')).toBe(true);
    for (const s of ['booting', 'ready', 'draining', 'orphaned', 'quitting', 'aborting', 'exited']) expect(text).toContain(`state "${s}" as ${s}\n`);
    expect(text).toContain('  ready --> draining: TERM\n');
    expect(text).toContain('note right of booting : in every state - USR1, IGNORED');
    expect(toMermaid(shapeOf(masterMachine))).toContain('state "reloading" as serving_reloading {');
  });

  it('DOT uses clusters for compound states and renders to SVG offline', async () => {
    const dot = toDot(shapeOf(masterMachine));
    expect(dot).toContain('subgraph "cluster_serving.reloading"');
    expect(dot).toContain('ltail="cluster_serving"');
    const svg = await render('master', 'svg');
    expect(svg).toMatch(/^<\?xml[\s\S]*<svg/);
    for (const s of ['booting', 'running', 'configuring', 'rolling', 'graceful', 'quick', 'halted']) expect(svg).toContain(`>${s}</text>`);
  });

  it("the inspector's drawing: each edge by its first event and a count, the whole list on hover, every edge named by its states and classed by its events", async () => {
    expect(compactLabel('TERM, FAULT')).toBe('TERM, FAULT');
    expect(compactLabel('UPGRADE_READY [upgradeAuto], TERM, FAULT')).toBe('UPGRADE_READY [upgradeAuto] +2');
    const dot = toDot(shapeOf(masterMachine), { compact: true });
    expect(eventClasses('WORKER_EXIT [exitIsNewGenerationBootFailure], always [noStaleWorkers], HUP, WORKER_EXIT')).toBe('ev_WORKER_EXIT ev_always ev_HUP');
    expect(dot).toContain(
      'label="UPGRADE_READY [upgradeAuto] +2" id="t:serving:stopping.graceful" class="ev_UPGRADE_READY ev_TERM ev_FAULT" tooltip="UPGRADE_READY [upgradeAuto], TERM, FAULT"',
    );
    const svg = await render('master', 'svg', { compact: true });
    expect(svg).toContain('id="t:booting:stopping.quick" class="edge ev_INT ev_QUIT ev_WORKER_EXIT"');
    expect(svg).not.toContain('>INT, QUIT, WORKER_EXIT [appCannotLoadAtStart]');
    // About half the width of the full drawing: a page shows it at a legible size.
    const width = (text: string) => Number(/<svg width="(\d+)pt"/.exec(text)?.[1]);
    expect(width(svg)).toBeLessThan(width(await render('master', 'svg')) * 0.6);
  });

  it('the committed diagrams and docs/how-it-works.md are current (run npm run visualize when this fails)', async () => {
    for (const name of ['master', 'worker'] as const) {
      expect(read(`visualize/diagrams/${name}.mmd`)).toBe(await render(name, 'mermaid'));
      expect(read(`visualize/diagrams/${name}.svg`)).toBe(await render(name, 'svg'));
    }
    const page = read('docs/how-it-works.md');
    expect(page).toBe(await readmeWithDiagrams(page));
    expect(page).toContain('```mermaid\nstateDiagram-v2');
  });

  it('statefork visualize prints the chosen format, and refuses an unknown one with exit 2', () => {
    const dot = spawnSync(process.execPath, [CLI, 'visualize', '--format', 'dot'], { encoding: 'utf8' });
    expect(dot.status).toBe(0);
    expect(dot.stdout.match(/^digraph "(master|worker)"/gm)).toEqual(['digraph "master"', 'digraph "worker"']);
    const bad = spawnSync(process.execPath, [CLI, 'visualize', '--format', 'png'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("statefork: error: option '-f, --format <format>' argument 'png' is invalid. Allowed choices are mermaid, dot, svg.\n");
  });
});
