/**
 * A worker's reports to the master: requests served, their durations, the connections and the
 * load, for `statefork workers`, the inspector and metrics. Measured once per beat while serving,
 * sent when a count moved, when only the load moved at most every few beats
 * (machines/stats-report.ts: an idle worker's reports were most of the master's idle CPU at 32
 * workers), and a last time before the worker exits.
 */
import { workerMessage, type ProxyRejections } from '../../machines/protocol.js';
import { nextReport, NO_REPORT } from '../../machines/stats-report.js';
import type { MasterChannel } from './channel.js';
import type { loadMeter } from './load-meter.js';
import type { Serving } from './serving.js';

/** The report to send now (`last`: the final one, sent whatever moved); resolves once it is sent or skipped. */
export function statsReporter(
  channel: MasterChannel,
  meter: ReturnType<typeof loadMeter>,
  proxyRejected: ProxyRejections,
  serving: () => Serving | null,
  logFailures: () => number,
): (last?: boolean) => Promise<void> {
  let reported = NO_REPORT;
  return (last = false) =>
    new Promise<void>((done) => {
      const now = serving();
      if (!now || !channel.connected) return done();
      const message = workerMessage.stats(now.requests, now.durations ?? undefined, logFailures(), now.connectionKinds(), meter.sample(), proxyRejected);
      const { send, state } = nextReport(reported, message, last);
      reported = state;
      if (!send) return done();
      void channel.send(message).then(done);
    });
}
