/**
 * The master's last resort: an exception nothing caught, or a promise rejection nobody handled
 * (a bug, or a server hook that throws later on its own, from a timer). Node would kill the
 * master and leave its workers to notice they are orphaned; instead the error is logged as one
 * fatal record and becomes the machine's FAULT event: a graceful stop that ends with exit 1.
 */
import type { Logger } from '../../log.js';

export function installFaultHandler(log: Logger, fault: (reason: string) => void): () => void {
  const onError = (err: unknown, origin: string) => {
    const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    log.fatal({ err, origin }, `uncaught error in the master (${origin}): ${reason}`);
    fault(reason);
  };
  const onException = (err: Error, origin: string) => onError(err, origin);
  const onRejection = (reason: unknown) => onError(reason, 'unhandledRejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
