// Pieces for the act-loop cluster tests: the CLI run as a user runs it (its own process, a private
// NIMBUSGUARD_HOME), the API server's audit log of writes, and objects compared without the fields
// the server owns.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { clusterDir, kubeconfigPath, repoRoot, sleep } from '../harness/kubeKit';

export const CLI = join(repoRoot, 'dist', 'cli.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed, when --json was given. */
  json: Record<string, any> | undefined;
  ms: number;
}

/** A private ledger/state directory for one test. */
export function privateHome(): string {
  return mkdtempSync(join(tmpdir(), 'ng-home-'));
}

export function startCli(args: string[], home: string): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env['PATH'] ?? '', HOME: home, NIMBUSGUARD_HOME: home, KUBECONFIG: kubeconfigPath },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs `nimbusguard ARGS` to its end (stdin is not a TTY, so it never prompts). */
export function runCli(args: string[], home: string, timeoutMs = 400_000): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = startCli(args, home);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += String(d)));
    child.stderr!.on('data', (d) => (stderr += String(d)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`nimbusguard ${args.join(' ')} ran longer than ${timeoutMs / 1000}s; stderr:\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      let json: Record<string, any> | undefined;
      if (args.includes('--json')) {
        try {
          json = JSON.parse(stdout) as Record<string, any>;
        } catch {
          json = undefined;
        }
      }
      resolve({ code, stdout, stderr, json, ms: Date.now() - started });
    });
  });
}

export function describeRun(r: CliRun): string {
  return `exit ${String(r.code)}\n--- stdout\n${r.stdout.slice(0, 4000)}\n--- stderr\n${r.stderr.slice(0, 4000)}`;
}

// ---- the audit log ------------------------------------------------------------------------------

export interface AuditEvent {
  stage: string;
  verb: string;
  requestURI: string;
  user: { username: string };
  objectRef?: { resource?: string; namespace?: string; name?: string; subresource?: string };
  responseStatus?: { code?: number };
  requestReceivedTimestamp: string;
}

export const auditLogPath = join(clusterDir, 'logs', 'audit.log');

/** Every completed write the API server logged, optionally only in one namespace. */
export function auditedWrites(namespace?: string): AuditEvent[] {
  if (!existsSync(auditLogPath))
    throw new Error(
      `${auditLogPath} is missing: the cluster was started without the audit log (npm run cluster:down && npm run cluster:up)`,
    );
  return readFileSync(auditLogPath, 'utf8')
    .split('\n')
    .flatMap((line) => {
      if (!line) return [];
      try {
        const e = JSON.parse(line) as AuditEvent;
        return e.stage === 'ResponseComplete' && (namespace === undefined || e.objectRef?.namespace === namespace)
          ? [e]
          : [];
      } catch {
        return [];
      }
    });
}

export function isDryRun(e: AuditEvent): boolean {
  return /[?&]dryRun=All(&|$)/.test(e.requestURI);
}

/** Real (not dry-run) writes NimbusGuard made: its field manager, or the Events it records on targets. */
export function nimbusguardWrites(events: readonly AuditEvent[]): AuditEvent[] {
  return events.filter(
    (e) =>
      !isDryRun(e) &&
      (/[?&]fieldManager=nimbusguard(&|$)/.test(e.requestURI) ||
        /[?&]fieldManager=nimbusguard-shadow(&|$)/.test(e.requestURI) ||
        (e.objectRef?.resource === 'events' && e.verb === 'create')),
  );
}

/** The audit log is written by the API server as requests complete; give it a moment. */
export async function settleAudit(): Promise<void> {
  await sleep(1500);
}

// ---- objects --------------------------------------------------------------------------------

/** The parts of a workload a change and its rollback are about: labels and the whole spec. */
export async function specOf(
  kc: k8s.KubeConfig,
  kind: 'Deployment' | 'Service' | 'HorizontalPodAutoscaler' | 'NetworkPolicy',
  namespace: string,
  name: string,
): Promise<{ labels: unknown; spec: unknown }> {
  const api = k8s.KubernetesObjectApi.makeApiClient(kc);
  const apiVersion =
    kind === 'Deployment'
      ? 'apps/v1'
      : kind === 'HorizontalPodAutoscaler'
        ? 'autoscaling/v2'
        : kind === 'NetworkPolicy'
          ? 'networking.k8s.io/v1'
          : 'v1';
  const o = (await api.read({ apiVersion, kind, metadata: { name, namespace } })) as unknown as Record<string, any>;
  return JSON.parse(JSON.stringify({ labels: o['metadata']?.['labels'] ?? {}, spec: o['spec'] })) as {
    labels: unknown;
    spec: unknown;
  };
}

/** An API whose memory limit (128Mi) is below its simulated peak (200Mi): OOMKilled, then CrashLoopBackOff. */
export const oomManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 1
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
      annotations:
        sim.nimbusguard.dev/memory-peak: 200Mi
    spec:
      containers:
        - name: api
          image: registry.example/shop/api:1.0
          resources:
            requests:
              cpu: 10m
              memory: 64Mi
            limits:
              memory: 128Mi
`;
