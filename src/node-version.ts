/**
 * The Node lines statefork supports: 22 from 22.12 (SO_REUSEPORT in listen(), require(esm),
 * the compile cache), 24 and 26. Imported first by the command, before anything that an older
 * Node might not load, so an unsupported Node gets one line and exit 2, not a stack.
 */
export const SUPPORTED_NODE = { major: 22, minor: 12, text: 'Node 22 (from 22.12), 24 or 26' } as const;

/** Why `version` (e.g. "20.20.2") cannot run statefork, or null when it can. */
export function unsupportedNode(version: string): string | null {
  const [major, minor] = version.split('.').map(Number);
  if (major > SUPPORTED_NODE.major || (major === SUPPORTED_NODE.major && minor >= SUPPORTED_NODE.minor)) return null;
  return `statefork needs ${SUPPORTED_NODE.text}; this is Node ${version}, which it does not support (Node 20 reached its end of life on 2026-04-30): run it with a supported Node`;
}
