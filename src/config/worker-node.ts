/**
 * What the workers' Node is started with, and never the master's: modules preloaded before the
 * app (--import, --require: OpenTelemetry, tsx, an APM agent) and Node/V8 flags (--node-option:
 * --max-old-space-size, --enable-source-maps, --env-file). Each is checked once, at start and on
 * HUP, so a typo is a one-line error and not a crash loop: a preload must resolve from the
 * directory the workers run in, and the flags are tried on this Node (`node FLAGS -e ''`, as the
 * workers' user).
 */
import { childProcess } from '../node-builtins.js';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { AppSpec } from './app-spec.js';
import { usage } from './checks.js';
import type { WorkerIdentity } from './identity.js';

const { spawnSync } = childProcess();

/** Flags that would make a worker something else than a worker (run code, a test, a REPL, a watcher). */
const NOT_FOR_WORKERS =
  /^(-e|--eval|-p|--print|-c|--check|-i|--interactive|--test|--watch|--watch-path|--run|-r|--require|--import|--loader|--experimental-loader)(=|$)/;
const CHECK_TIMEOUT_MS = 10_000;
const TYPESCRIPT = /\.[cm]?ts$/;
const STRIP_FLAGS = /^--experimental-(strip|transform)-types$/;

export interface WorkerNode {
  imports: string[];
  requires: string[];
  nodeOptions: string[];
}

/** One --import or --require: a module specifier (a path or a package name). */
export function checkPreload(name: string, value: unknown): string {
  if (typeof value !== 'string' || !value.trim())
    usage(`invalid ${name} '${String(value)}': give a module to preload in the workers (a path such as ./otel.mjs, or a package such as tsx)`);
  return value;
}

/** One --node-option: a flag, e.g. --max-old-space-size=512. */
export function checkNodeOption(name: string, value: unknown): string {
  if (typeof value !== 'string' || !/^--?[A-Za-z]/.test(value))
    usage(`invalid ${name} '${String(value)}': give a Node or V8 flag, e.g. --max-old-space-size=512 (with = for its value)`);
  if (NOT_FOR_WORKERS.test(value))
    usage(`invalid ${name} '${value}': a worker runs statefork's entry, not code of its own; preload modules with --import or --require instead`);
  return value;
}

/** A preload that does not resolve from `dir` fails every worker at start: say so now. */
function checkResolves(flag: string, specifier: string, dir: string): void {
  try {
    createRequire(join(dir, 'noop.js')).resolve(specifier);
  } catch (e) {
    // A package whose exports have no require condition (ESM only) is there all the same.
    if ((e as NodeJS.ErrnoException).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return;
    usage(
      `invalid ${flag} '${specifier}': cannot find it from ${dir}; install the package (npm install ${specifier.startsWith('.') || specifier.startsWith('/') ? '...' : specifier}) or give the module's path`,
    );
  }
}

/** Node's own verdict on the flags, as the workers would get them. */
function checkFlags(flags: string[], identity: WorkerIdentity | null): void {
  if (!flags.length) return;
  const r = spawnSync(process.execPath, [...flags, '-e', ''], {
    encoding: 'utf8',
    timeout: CHECK_TIMEOUT_MS,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
    ...(identity ? { uid: identity.uid, gid: identity.gid } : {}),
  });
  if (r.status === 0) return;
  const said = (r.stderr ?? '').split('\n').find((l) => l.trim()) ?? r.error?.message ?? `exit ${r.status}`;
  usage(`invalid --node-option '${flags.join(' ')}': Node ${process.version} refuses it (${said.trim()}); fix or drop the flag`);
}

/** A TypeScript entry needs a Node that strips types, or a preload that compiles them. */
function checkTypeScript(app: AppSpec, node: WorkerNode): void {
  if (!TYPESCRIPT.test(app.path) || (process.features as { typescript?: unknown }).typescript) return;
  if (node.imports.length || node.requires.length || node.nodeOptions.some((f) => STRIP_FLAGS.test(f))) return;
  const [major, minor] = process.versions.node.split('.').map(Number);
  const stripsByDefault = major > 22 || (major === 22 && minor >= 18);
  const why = stripsByDefault
    ? `Node ${process.version} runs with type stripping turned off (--no-experimental-strip-types); drop that flag`
    : `Node ${process.version} does not strip types; run statefork on Node 22.18 or newer`;
  usage(`invalid app '${app.text}': it is TypeScript, and ${why}, or add --import tsx (npm install tsx)`);
}

/** The workers' extra Node arguments (before statefork's worker entry), all checked. */
export function workerExecArgv(node: WorkerNode, app: AppSpec, identity: WorkerIdentity | null, dir = process.cwd()): string[] {
  for (const m of node.imports) checkResolves('--import', m, dir);
  for (const m of node.requires) checkResolves('--require', m, dir);
  checkFlags(node.nodeOptions, identity);
  checkTypeScript(app, node);
  return [...node.imports.flatMap((m) => ['--import', m]), ...node.requires.flatMap((m) => ['--require', m]), ...node.nodeOptions];
}
