/**
 * A Prometheus histogram whose buckets are counted elsewhere (by the workers, added up by the
 * master): prom-client's Histogram can only observe values, so this is the metric object its
 * registry formats, with the values read at scrape time.
 */
import { DURATION_BUCKETS, type Durations } from '../../machines/protocol.js';

export class DurationHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => Durations,
  ) {}

  get() {
    const { counts, sum } = this.read();
    let cumulative = 0;
    const buckets = [...DURATION_BUCKETS, '+Inf' as const].map((le, i) => {
      cumulative += counts[i];
      return { value: cumulative, labels: { le }, metricName: `${this.name}_bucket` };
    });
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: [...buckets, { value: sum, labels: {}, metricName: `${this.name}_sum` }, { value: cumulative, labels: {}, metricName: `${this.name}_count` }],
    };
  }

  reset(): void {}
}
