/**
 * The configuration a running master goes by, and its reload policy: a HUP re-reads the
 * configuration (and the hooks), keeps the sockets as they are (a changed --bind is said, not
 * applied: the sockets are the master's until a restart), applies --umask again and calls
 * onReload. The machine gets the new settings through its loadConfig actor (./machine.ts).
 */
import type { MasterSettings } from '../../../machines/master.context.js';
import { masterSettings, type Config } from '../../config/options.js';
import { callHook, type Hooks } from '../../hooks.js';
import type { Logger } from '../../log.js';

export interface Reloaded {
  config: Config;
  hooks?: Hooks;
}

/** What a master hook receives: the master as it is when the hook runs. */
export interface HookMaster {
  pid: number;
  readonly config: Config;
  readonly workers: unknown[];
  readonly state: string;
}

export class LiveConfig {
  config: Config;
  hooks: Hooks;

  constructor(
    initial: Config,
    hooks: Hooks | undefined,
    private readonly reread: (() => Reloaded | Promise<Reloaded>) | undefined,
    private readonly log: Logger,
  ) {
    this.config = initial;
    this.hooks = hooks ?? {};
  }

  /** Calls a master hook with the master as it is; never throws (see callHook). */
  hook(name: Parameters<typeof callHook>[1], master: HookMaster, ...args: unknown[]): Promise<void> {
    return callHook(this.hooks, name, this.log, master, ...args);
  }

  /** HUP: the configuration again; rejects with a one-line message when it does not load. */
  async reload(master: HookMaster): Promise<MasterSettings> {
    const next = this.reread ? await this.reread() : { config: this.config, hooks: this.hooks };
    if (JSON.stringify(next.config.binds) !== JSON.stringify(this.config.binds)) this.log.warn('--bind changed: sockets are kept as they are until a restart');
    this.config = { ...next.config, binds: this.config.binds };
    if (this.config.umask !== null) process.umask(this.config.umask);
    this.hooks = next.hooks ?? this.hooks;
    void this.hook('onReload', master);
    return masterSettings(this.config);
  }
}
