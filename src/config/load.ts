/**
 * The configuration, assembled from its layers. Precedence, lowest first: defaults < config file <
 * STATEFORK_CMD_ARGS (parsed like the command line) < command-line flags. The same function runs
 * at start and on every HUP, so a reload sees exactly what a restart would.
 */
import { StateforkError } from '../errors.js';
import { isHookName, WORKER_HOOKS, type HookName, type Hooks } from '../hooks.js';
import { findConfigFile, loadConfigFile } from './file.js';
import { normalize, type Config, type Options, type Sources } from './options.js';
import { isOptionKey, OPTION_KEYS, OPTION_ROWS } from './option-table.js';
import { parseArgs, splitArgs, type ParsedArgs } from './program.js';

export { OPTION_KEYS };

export interface Loaded {
  config: Config;
  sources: Sources;
  configFile: string | null;
  cli: ParsedArgs;
  /** Hooks come from the configuration file only (they are functions). */
  hooks: Hooks;
}

/** Edit distance, for "did you mean" on a misspelt key. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** A key the file should not have gets the nearest known one as a hint. */
function checkKeys(values: Record<string, unknown>, source: string): void {
  for (const [key, value] of Object.entries(values)) {
    if ((OPTION_KEYS as string[]).includes(key)) continue;
    if (isHookName(key)) {
      if (typeof value !== 'function')
        throw new StateforkError('SF_CONFIG', `hook ${key} in ${source} is ${typeof value}; a hook must be a function (sync or async)`);
      continue;
    }
    const near = OPTION_KEYS.map((k) => [k, distance(k.toLowerCase(), key.toLowerCase())] as const)
      .filter(([, d]) => d <= 3)
      .sort((x, y) => x[1] - y[1])[0]?.[0];
    throw new StateforkError(
      'SF_CONFIG',
      `unknown key '${key}' in ${source}${near ? ` (did you mean ${near}?)` : ''}; the keys are the long options in camelCase: ${OPTION_KEYS.join(', ')}`,
    );
  }
}

/**
 * Where statefork was started: the config file is looked for (and -c resolved) here, also on a
 * HUP after --chdir moved the process.
 */
export const STARTED_IN = process.cwd();

export async function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env, cwd = STARTED_IN): Promise<Loaded> {
  const cli = parseArgs(argv);
  const fromEnv = env.STATEFORK_CMD_ARGS ? parseArgs(splitArgs(env.STATEFORK_CMD_ARGS), 'STATEFORK_CMD_ARGS') : null;
  const configFile = findConfigFile(cli.config ?? fromEnv?.config, cwd);
  const layers: Array<{ source: string; values: Partial<Options> }> = [];
  const hooks: Hooks = {};
  if (configFile) {
    const values = await loadConfigFile(configFile);
    checkKeys(values, `config file ${configFile}`);
    for (const [key, value] of Object.entries(values)) if (isHookName(key)) hooks[key] = value as Hooks[HookName];
    layers.push({ source: `config file ${configFile}`, values: values });
  }
  if (fromEnv) layers.push({ source: 'STATEFORK_CMD_ARGS', values: fromEnv.options });
  layers.push({ source: 'command line', values: cli.options });
  const options: Partial<Options> = {};
  const sources: Sources = {};
  for (const { source, values } of layers) {
    for (const key of OPTION_KEYS) {
      if (values[key] === undefined) continue;
      (options as Record<string, unknown>)[key] = values[key];
      sources[key] = source;
    }
  }
  // Workers import the file only when it has hooks for them: its top-level code then runs in each.
  const workerHooksFile = Object.keys(hooks).some((k) => (WORKER_HOOKS as readonly string[]).includes(k)) ? configFile : null;
  return { config: { ...normalize(options as Options, env, sources), workerHooksFile }, sources, configFile, cli, hooks };
}

/** `--print-config`: every option, its effective value, and where it came from. */
export function describeConfig({ config, sources }: Loaded): string {
  const rows = OPTION_ROWS.flatMap(({ key, show, defaultSource }) =>
    isOptionKey(key) && show ? [[key, show(config), sources[key] ?? defaultSource?.() ?? 'default'] as const] : [],
  );
  const width = Math.max(...rows.map(([k]) => k.length));
  const valueWidth = Math.max(...rows.map(([, v]) => String(v).length));
  return rows.map(([k, v, s]) => `${k.padEnd(width)}  ${String(v).padEnd(valueWidth)}  ${s}`).join('\n') + '\n';
}
