// The seeds' scaling policy custom resources, read as untrusted input: IntelligentScaling
// (nimbusguard.io/v1alpha1, selects workloads by pod template labels) and ScalingPolicy
// (nimbusguard.io/v1, targets one workload). A malformed policy becomes a message and is ignored;
// a workload selected by two policies, or by a policy and an HPA, is reported, never merged.
import type { Workload, WorkloadKind } from '../model/workload';
import { quote } from '../metrics/promResponse';

export const POLICY_GROUP = 'nimbusguard.io';
export type PolicyKind = 'IntelligentScaling' | 'ScalingPolicy';
export const POLICY_TYPES = [
  { kind: 'IntelligentScaling', apiVersion: 'nimbusguard.io/v1alpha1', plural: 'intelligentscalings' },
  { kind: 'ScalingPolicy', apiVersion: 'nimbusguard.io/v1', plural: 'scalingpolicies' },
] as const;

export interface PolicyMetric {
  query: string;
  /** Demand one replica serves, in the query's unit. */
  threshold?: number;
  condition: 'gt' | 'lt';
}

export interface StepBehavior {
  maxStepPercent?: number;
  cooldownSeconds?: number;
}

export interface ScalingPolicyRecord {
  kind: PolicyKind;
  namespace: string;
  name: string;
  /** `ScalingPolicy shop/checkout`. */
  label: string;
  /** ScalingPolicy: the one workload it targets. */
  targetRef?: { kind: WorkloadKind; name: string };
  /** IntelligentScaling: the namespace and labels of the workloads it selects. */
  selector?: { namespace: string; labels: Record<string, string> };
  minReplicas?: number;
  maxReplicas?: number;
  /** 0..1 */
  targetUtilization?: number;
  metrics: PolicyMetric[];
  prometheusUrl?: string;
  behavior?: { scaleUp?: StepBehavior; scaleDown?: StepBehavior };
}

export type PolicyParse = { ok: true; policy: ScalingPolicyRecord } | { ok: false; label: string; message: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const TARGET_KINDS: readonly string[] = ['Deployment', 'StatefulSet'];
const MAX_METRICS = 20;

class Malformed extends Error {}

function optionalCount(spec: Record<string, unknown>, key: string): number | undefined {
  const v = spec[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 10_000)
    throw new Malformed(`spec.${key} must be a whole number from 0 to 10000, not ${quote(JSON.stringify(v), 40)}`);
  return v;
}

function metricsOf(list: unknown, path: string): PolicyMetric[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new Malformed(`${path} must be a list`);
  if (list.length > MAX_METRICS)
    throw new Malformed(`${path} has ${list.length} entries; at most ${MAX_METRICS} are read`);
  return list.map((m, i) => {
    if (!isRecord(m)) throw new Malformed(`${path}[${i}] must be an object`);
    const query = m['query'];
    if (typeof query !== 'string' || query.trim() === '' || query.length > 4000)
      throw new Malformed(`${path}[${i}].query must be a PromQL query`);
    const threshold = m['threshold'];
    if (threshold !== undefined && (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold <= 0)) {
      throw new Malformed(`${path}[${i}].threshold must be a positive number (the demand one replica serves)`);
    }
    const condition = m['condition'] ?? 'gt';
    if (condition !== 'gt' && condition !== 'lt')
      throw new Malformed(`${path}[${i}].condition must be "gt" or "lt", not ${quote(JSON.stringify(condition), 40)}`);
    return { query: query.trim(), condition, ...(typeof threshold === 'number' ? { threshold } : {}) };
  });
}

function behaviorOf(v: unknown): StepBehavior | undefined {
  if (v === undefined) return undefined;
  if (!isRecord(v)) throw new Malformed('spec.behavior.scaleUp/scaleDown must be objects');
  const out: StepBehavior = {};
  const step = v['maxStepPercent'];
  const cool = v['cooldownSeconds'];
  if (step !== undefined) {
    if (typeof step !== 'number' || !(step > 0)) throw new Malformed('maxStepPercent must be a positive number');
    out.maxStepPercent = step;
  }
  if (cool !== undefined) {
    if (typeof cool !== 'number' || !(cool >= 0)) throw new Malformed('cooldownSeconds must be a number of seconds');
    out.cooldownSeconds = cool;
  }
  return out;
}

/** Reads one policy object as the API server sent it. */
export function parseScalingPolicy(kind: PolicyKind, raw: unknown): PolicyParse {
  const metadata = isRecord(raw) && isRecord(raw['metadata']) ? raw['metadata'] : {};
  const namespace = typeof metadata['namespace'] === 'string' ? metadata['namespace'] : '';
  const name = typeof metadata['name'] === 'string' ? metadata['name'] : '(unnamed)';
  const label = `${kind} ${quote(namespace, 63)}/${quote(name, 253)}`;
  try {
    const spec = isRecord(raw) ? raw['spec'] : undefined;
    if (!isRecord(spec)) throw new Malformed('it has no spec');
    const policy: ScalingPolicyRecord = { kind, namespace, name, label, metrics: [] };
    if (kind === 'IntelligentScaling') {
      const ns = spec['namespace'] ?? namespace;
      if (typeof ns !== 'string' || ns === '') throw new Malformed('spec.namespace must be a namespace name');
      const labels = spec['target_labels'];
      if (!isRecord(labels) || Object.keys(labels).length === 0)
        throw new Malformed(
          'spec.target_labels must name at least one pod template label (an empty selector would govern every workload)',
        );
      if (!Object.values(labels).every((v) => typeof v === 'string'))
        throw new Malformed('spec.target_labels values must be strings');
      policy.selector = { namespace: ns, labels: labels as Record<string, string> };
      const min = optionalCount(spec, 'min_replicas');
      const max = optionalCount(spec, 'max_replicas');
      if (min !== undefined) policy.minReplicas = min;
      if (max !== undefined) policy.maxReplicas = max;
      const config = spec['metrics_config'];
      if (config !== undefined && !isRecord(config)) throw new Malformed('spec.metrics_config must be an object');
      if (isRecord(config)) {
        const url = config['prometheus_url'];
        if (url !== undefined && (typeof url !== 'string' || !/^https?:\/\/[^\s]+$/.test(url)))
          throw new Malformed('spec.metrics_config.prometheus_url must be an http(s) URL');
        if (typeof url === 'string') policy.prometheusUrl = url;
        policy.metrics = metricsOf(config['metrics'], 'spec.metrics_config.metrics');
      }
    } else {
      const ref = spec['targetRef'];
      if (!isRecord(ref) || typeof ref['name'] !== 'string' || ref['name'] === '')
        throw new Malformed('spec.targetRef.name is missing');
      const targetKind = ref['kind'] ?? 'Deployment';
      if (typeof targetKind !== 'string' || !TARGET_KINDS.includes(targetKind))
        throw new Malformed(
          `spec.targetRef.kind must be Deployment or StatefulSet, not ${quote(JSON.stringify(targetKind), 40)}`,
        );
      policy.targetRef = { kind: targetKind as WorkloadKind, name: ref['name'] };
      const min = optionalCount(spec, 'minReplicas');
      const max = optionalCount(spec, 'maxReplicas');
      if (min !== undefined) policy.minReplicas = min;
      if (max !== undefined) policy.maxReplicas = max;
      const target = spec['targetUtilization'];
      if (target !== undefined) {
        if (typeof target !== 'number' || !(target > 0) || target > 100)
          throw new Malformed('spec.targetUtilization must be a percentage (1–100) or a fraction (0–1]');
        policy.targetUtilization = target > 1 ? target / 100 : target;
      }
      policy.metrics = metricsOf(spec['metrics'], 'spec.metrics');
      const behavior = spec['behavior'];
      if (behavior !== undefined) {
        if (!isRecord(behavior)) throw new Malformed('spec.behavior must be an object');
        const up = behaviorOf(behavior['scaleUp']);
        const down = behaviorOf(behavior['scaleDown']);
        policy.behavior = { ...(up ? { scaleUp: up } : {}), ...(down ? { scaleDown: down } : {}) };
      }
    }
    if (
      policy.minReplicas !== undefined &&
      policy.maxReplicas !== undefined &&
      policy.minReplicas > policy.maxReplicas
    ) {
      throw new Malformed(`its minimum (${policy.minReplicas}) is above its maximum (${policy.maxReplicas})`);
    }
    if (policy.maxReplicas === 0) throw new Malformed('its maximum is 0 replicas');
    return { ok: true, policy };
  } catch (error) {
    if (!(error instanceof Malformed)) throw error;
    return { ok: false, label, message: `${label} is ignored: ${error.message}.` };
  }
}

/** True when the policy selects this workload. */
export function selects(
  policy: ScalingPolicyRecord,
  w: Pick<Workload, 'kind' | 'namespace' | 'name' | 'template'>,
): boolean {
  if (policy.targetRef)
    return policy.namespace === w.namespace && policy.targetRef.kind === w.kind && policy.targetRef.name === w.name;
  if (policy.selector) {
    if (policy.selector.namespace !== w.namespace || w.kind === 'DaemonSet') return false;
    return Object.entries(policy.selector.labels).every(([k, v]) => w.template.labels[k] === v);
  }
  return false;
}

/** The metric that measures demand: the first scale-up (`gt`) metric, else the first one. */
export function demandMetric(policy: ScalingPolicyRecord): PolicyMetric | undefined {
  return policy.metrics.find((m) => m.condition === 'gt') ?? policy.metrics[0];
}

export interface Governance {
  /** The one policy that governs the workload; absent when none, or when several overlap. */
  policy?: ScalingPolicyRecord;
  /** Every policy that selects it. */
  selectedBy: ScalingPolicyRecord[];
  notes: string[];
}

/** Which policy governs a workload, with overlaps and an HPA beside a policy reported. */
export function governanceOf(
  w: Pick<Workload, 'kind' | 'namespace' | 'name' | 'template'>,
  policies: readonly ScalingPolicyRecord[],
  hpaName: string | undefined,
): Governance {
  const selectedBy = policies.filter((p) => selects(p, w)).sort((a, b) => a.label.localeCompare(b.label));
  const notes: string[] = [];
  const name = `${w.kind} ${w.namespace}/${w.name}`;
  if (selectedBy.length > 1) {
    notes.push(
      `${name} is selected by ${selectedBy.length} scaling policies (${selectedBy.map((p) => p.label).join(', ')}); none is applied until only one selects it.`,
    );
    return { selectedBy, notes };
  }
  const policy = selectedBy[0];
  if (!policy) return { selectedBy, notes };
  if (hpaName)
    notes.push(
      `${name} has both ${policy.label} and the HorizontalPodAutoscaler ${hpaName}: two controllers would scale it. The proposal follows the policy's bounds; remove one of them.`,
    );
  const metric = demandMetric(policy);
  if (policy.metrics.length > 1 && metric)
    notes.push(
      `${policy.label} lists ${policy.metrics.length} metrics; demand is measured with the first scale-up one (${quote(metric.query, 80)}).`,
    );
  return { policy, selectedBy, notes };
}
