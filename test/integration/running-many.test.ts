/**
 * The README's "Running many masters" examples, checked by the programs they are for: the
 * Prometheus configuration by `promtool check config` (with the shipped rules where it names
 * them), and the Kubernetes Deployment read as YAML: its probes name the health endpoints on the
 * port its arguments serve them on, its grace period covers the drain delay and the graceful
 * timeout, and statefork itself accepts those arguments.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { HEALTH_PATHS } from '../../src/health/server.js';
import { CLI, NODE } from '../helpers/cli.js';

const README = readFileSync(fileURLToPath(new URL('../../docs/deploying.md', import.meta.url)), 'utf8');
const SECTION = README.slice(README.indexOf('## Running many masters'));
const yamlBlocks = [...SECTION.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);

describe('Running many masters, as written', () => {
  it('the Prometheus configuration passes promtool check config, with the shipped rules', () => {
    const config = yamlBlocks.find((b) => b.startsWith('# prometheus.yml'))!;
    const dir = mkdtempSync(join(tmpdir(), 'statefork-promconfig-'));
    writeFileSync(join(dir, 'prometheus.yml'), config);
    copyFileSync(fileURLToPath(new URL('../../src/metrics/monitoring/rules.yml', import.meta.url)), join(dir, 'statefork.rules.yml'));
    const out = execFileSync('promtool', ['check', 'config', join(dir, 'prometheus.yml')], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS: 1 rule files found/);
    expect(out).toMatch(/SUCCESS: 15 rules found/);
  });

  it('the Deployment: probes on the health endpoints and port, a grace period that covers the stop, arguments statefork accepts', () => {
    const deployment = parse(yamlBlocks.find((b) => b.startsWith('apiVersion: apps/v1'))!) as {
      spec: { template: { spec: { terminationGracePeriodSeconds: number; containers: Array<Record<string, any>> } } };
    };
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    const args = (container.env as Array<{ name: string; value: string }>).find((e) => e.name === 'STATEFORK_CMD_ARGS')!.value;
    const flag = (name: string) => args.match(new RegExp(`--${name} (\\S+)`))![1];
    const healthPort = (container.ports as Array<{ name: string; containerPort: number }>).find((p) => p.name === 'health')!.containerPort;
    expect(flag('health')).toBe(`0.0.0.0:${healthPort}`);
    const probes = ['startupProbe', 'readinessProbe', 'livenessProbe'].map((p) => container[p].httpGet);
    expect(probes.map((p) => p.path)).toEqual(['/startupz', '/readyz', '/livez']);
    for (const p of probes) expect([HEALTH_PATHS.includes(p.path), p.port]).toEqual([true, 'health']);
    // Kubernetes's SIGKILL must not come before the drain delay and the graceful stop are over.
    expect(Number(flag('drain-delay')) + Number(flag('graceful-timeout'))).toBeLessThan(pod.terminationGracePeriodSeconds);
    // The readiness probe notices the stop within the drain delay.
    expect(container.readinessProbe.periodSeconds * container.readinessProbe.failureThreshold).toBeLessThan(Number(flag('drain-delay')));
    const printed = spawnSync(NODE, [CLI, '--print-config', 'hello.cjs'], {
      cwd: fileURLToPath(new URL('../fixtures/apps/', import.meta.url)),
      env: { ...process.env, STATEFORK_CMD_ARGS: args, PORT: '8000' },
      encoding: 'utf8',
    });
    expect(printed.status).toBe(0);
    expect(printed.stdout).toMatch(/health\s+0\.0\.0\.0:9101\s+STATEFORK_CMD_ARGS/);
    expect(printed.stdout).toMatch(/drainDelay\s+5\s+STATEFORK_CMD_ARGS/);
  });
});
