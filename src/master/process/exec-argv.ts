/** Debugger flags would make every worker (and a hot upgrade's new master) fight for the same inspector port. */
export const inheritedExecArgv = () => process.execArgv.filter((a) => !a.startsWith('--inspect'));
