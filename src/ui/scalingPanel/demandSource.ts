// Where a workload's demand comes from: Prometheus when a server is configured (or a governing
// policy names one and the user allows that), with the query the precedence picks and its
// placeholders filled in from the snapshot; otherwise CPU from metrics.k8s.io. The stored auth
// header goes only to the URL from the user's own settings, never to one from a cluster object.
import {
  chooseDemandQuery,
  expandDemandQuery,
  podNamePattern,
  type DemandQueryChoice,
} from '../../core/metrics/demandQuery';
import type { ClusterSnapshot } from '../../core/model/snapshot';
import { demandMetric, governanceOf, type ScalingPolicyRecord } from '../../core/scaling/scalingPolicies';
import type { Workload } from '../../core/model/workload';
import type { PrometheusEndpoint } from '../../cluster/prometheusClient';
import type { DemandRequest } from '../../cluster/prometheusDemand';

export interface PrometheusSettingsValue {
  /** nimbusguard.prometheus.url (empty: none). */
  url: string;
  /** From SecretStorage. */
  authHeader?: string;
  /** nimbusguard.prometheus.query (empty: the default). */
  query: string;
  /** nimbusguard.prometheus.allowPolicyUrls: query the URL a policy names when no URL is set. */
  allowPolicyUrls: boolean;
}

/** What a scaling policy custom resource says about the workload it governs. */
export interface GoverningPolicy {
  /** `ScalingPolicy ns/name` or `IntelligentScaling ns/name`. */
  label: string;
  query?: string;
  /** Demand one replica serves, in the query's unit. */
  threshold?: number;
  prometheusUrl?: string;
  minReplicas?: number;
  maxReplicas?: number;
  /** Target utilization (0..1) the threshold is met at. */
  targetUtilization?: number;
}

export type DemandPlan =
  | {
      source: 'prometheus';
      request: DemandRequest;
      choice: DemandQueryChoice;
      url: string;
      urlFrom: 'setting' | 'policy';
    }
  | { source: 'cpu'; note?: string };

/** Names of the workload's ReplicaSets and pods, for `$pods`. */
export function podNamesOf(snapshot: ClusterSnapshot, workload: Workload): { replicaSets: string[]; pods: string[] } {
  if (workload.kind === 'Deployment') {
    const rss = snapshot.ownedBy('ReplicaSet', workload.uid);
    return {
      replicaSets: rss.map((rs) => rs.meta.name),
      pods: rss.flatMap((rs) => snapshot.ownedBy('Pod', rs.meta.uid).map((p) => p.meta.name)),
    };
  }
  return { replicaSets: [], pods: snapshot.ownedBy('Pod', workload.uid).map((p) => p.meta.name) };
}

export function planDemand(
  snapshot: ClusterSnapshot,
  workload: Workload,
  settings: PrometheusSettingsValue | undefined,
  policy?: GoverningPolicy,
): DemandPlan {
  const configured = settings?.url.trim() ?? '';
  let endpoint: PrometheusEndpoint;
  let urlFrom: 'setting' | 'policy';
  if (configured) {
    endpoint = settings?.authHeader ? { url: configured, authHeader: settings.authHeader } : { url: configured };
    urlFrom = 'setting';
  } else if (policy?.prometheusUrl && settings?.allowPolicyUrls) {
    endpoint = { url: policy.prometheusUrl };
    urlFrom = 'policy';
  } else {
    if (policy?.prometheusUrl || policy?.query) {
      return {
        source: 'cpu',
        note: `${policy.label} measures demand with Prometheus${policy.prometheusUrl ? ` at ${policy.prometheusUrl}` : ''}; set nimbusguard.prometheus.url${policy.prometheusUrl ? ' (or allow nimbusguard.prometheus.allowPolicyUrls)' : ''} to use it. Showing CPU meanwhile.`,
      };
    }
    return { source: 'cpu' };
  }
  const choice = chooseDemandQuery({
    annotations: workload.annotations,
    ...(policy ? { policy: { name: policy.label, query: policy.query } } : {}),
    ...(settings?.query ? { setting: settings.query } : {}),
  });
  const names = podNamesOf(snapshot, workload);
  const query = expandDemandQuery(choice.template, {
    namespace: workload.namespace,
    workload: workload.name,
    pods: podNamePattern({ kind: workload.kind, name: workload.name, ...names }),
  });
  return {
    source: 'prometheus',
    request: { key: `${workload.kind}/${workload.namespace}/${workload.name}`, query, endpoint },
    choice,
    url: endpoint.url,
    urlFrom,
  };
}

/** The policy governing a workload, as the panel uses it, and what to report about the policies selecting it. */
export function governedBy(
  snapshot: ClusterSnapshot,
  policies: readonly ScalingPolicyRecord[],
  workload: Workload,
): { policy?: GoverningPolicy; notes: string[] } {
  const hpa = snapshot
    .list('HorizontalPodAutoscaler', workload.namespace)
    .find((h) => h.target.kind === workload.kind && h.target.name === workload.name);
  const g = governanceOf(workload, policies, hpa ? hpa.meta.name : undefined);
  if (!g.policy) return { notes: g.notes };
  const p = g.policy;
  const metric = demandMetric(p);
  const policy: GoverningPolicy = { label: p.label };
  if (metric) policy.query = metric.query;
  if (metric?.condition === 'gt' && metric.threshold !== undefined) policy.threshold = metric.threshold;
  if (p.prometheusUrl) policy.prometheusUrl = p.prometheusUrl;
  if (p.minReplicas !== undefined) policy.minReplicas = Math.max(1, p.minReplicas);
  if (p.maxReplicas !== undefined) policy.maxReplicas = p.maxReplicas;
  if (p.targetUtilization !== undefined) policy.targetUtilization = p.targetUtilization;
  return { policy, notes: g.notes };
}
