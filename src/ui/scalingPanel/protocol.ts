// The Scaling panel's protocol: the state the host sends and the messages each side may post.
import type { ScalingChartData } from '../../core/scaling/scalingChartData';
import type { ForecastAccuracy } from '../../core/scaling/forecastAccuracy';
import type { ScalingObjective } from '../../core/scaling/objective';
import { WORKLOAD_KINDS, type WorkloadKind } from '../../core/model/workload';
import { message } from '../webview/ipc';

export interface ScalingWorkloadRef {
  kind: WorkloadKind;
  namespace: string;
  name: string;
}

export interface HpaBounds {
  minReplicas: number;
  maxReplicas: number;
}

export interface ScalingProposalSummary {
  /** Replicas the predictive policy proposes now. */
  replicas: number;
  /** Replicas the workload asks for now (spec.replicas). */
  currentReplicas: number;
  /** Ready replicas now. */
  readyReplicas: number;
  reason: string;
  /** 0..1 */
  confidence: number;
  /** The workload's HorizontalPodAutoscaler bounds now, and the bounds proposed for it. */
  hpa?: { current: HpaBounds; proposed: HpaBounds };
  /** Demand one replica serves at the target utilization, in the demand's unit, when known. */
  replicaCapacity?: number;
  /** The objective in force (`nimbusguard.scaling.objective`) and what it means for this proposal. */
  objective: { name: ScalingObjective; text: string };
  /** How the forecasts made over the history did against the demand that arrived, with one line to show. */
  accuracy?: ForecastAccuracy & { text: string };
}

export interface DemandUnit {
  /** Axis and series label, e.g. "CPU cores". */
  label: string;
  /** Short unit for numbers in text, e.g. "cores". */
  unit: string;
}

/** Where the demand on the chart comes from. */
export interface DemandSourceInfo {
  kind: 'prometheus' | 'cpu';
  /** One line for the panel, e.g. "Prometheus http://…: the workload's annotation nimbusguard.dev/demand-query". */
  description: string;
  /** Prometheus only: the server and the query as sent (placeholders filled in). */
  url?: string;
  query?: string;
  /** Prometheus only: which setting or object the query came from. */
  origin?: 'annotation' | 'policy' | 'setting' | 'default';
  /** The scaling policy custom resource governing the workload, when one does. */
  policy?: string;
}

export interface ScalingPanelState {
  workload: ScalingWorkloadRef;
  /** The kube context the data comes from. */
  context: string;
  demand: DemandUnit;
  /** Absent in states from before demand sources existed. */
  source?: DemandSourceInfo;
  /** Absent while there is nothing to propose from (no metrics yet, or a DaemonSet). */
  proposal?: ScalingProposalSummary;
  /** chart.js line datasets: demand, forecast band, ready and proposed replicas; x in epoch seconds. */
  chart: ScalingChartData;
  /** Seconds between observations. */
  tickSeconds: number;
  /** Observations the proposal was made from. */
  observations: number;
  /** Why data is missing or limited ("no metrics yet", "metrics.k8s.io not served", …), most important first. */
  notes: string[];
  /** Epoch milliseconds when the host built this state. */
  updatedAt: number;
  /** The workload is not in the connected context (deleted, or another context): the panel offers Close. */
  missing?: boolean;
}

/** What the webview keeps with setState, and all a restored panel starts from: ids, never data. */
export interface ScalingSavedState {
  workload: ScalingWorkloadRef;
}

const isObject = (value: unknown): boolean => typeof value === 'object' && value !== null;

function isState(value: unknown): boolean {
  if (!isObject(value)) return false;
  const s = value as Partial<ScalingPanelState>;
  return (
    isObject(s.workload) &&
    isObject(s.chart) &&
    Array.isArray(s.chart?.datasets) &&
    Array.isArray(s.notes) &&
    typeof s.updatedAt === 'number'
  );
}

const isText = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= 253;

/** A workload reference from the other side or from saved state, checked field by field. */
export function scalingRefOf(value: unknown): ScalingWorkloadRef | undefined {
  if (!isObject(value)) return undefined;
  const r = value as Record<string, unknown>;
  if (!(WORKLOAD_KINDS as readonly unknown[]).includes(r['kind']) || !isText(r['namespace']) || !isText(r['name']))
    return undefined;
  return { kind: r['kind'] as WorkloadKind, namespace: r['namespace'], name: r['name'] };
}

/** The workload a restored panel shows, from what its webview saved. */
export function savedScalingRef(state: unknown): ScalingWorkloadRef | undefined {
  return isObject(state) ? scalingRefOf((state as { workload?: unknown }).workload) : undefined;
}

const noParams = (value: unknown): boolean => value === undefined || value === null;

/** Host → webview: everything the panel shows. */
export const StateMessage = message<'scaling/state', ScalingPanelState>('scaling/state', isState);
/** Webview → host: the script is running (first load, or reloaded after being hidden); send the state. */
export const ReadyMessage = message<'scaling/ready'>('scaling/ready', noParams);
/** Webview → host: the user asked for fresh data now. */
export const RefreshMessage = message<'scaling/refresh'>('scaling/refresh', noParams);

/** Webview → host: verify the proposal shown (the host uses the state it built, never data from the page). */
export const ApplyMessage = message<'scaling/apply'>('scaling/apply', noParams);

/** Webview → host: close this panel (its workload is gone). */
export const CloseMessage = message<'scaling/close'>('scaling/close', noParams);

export const HOST_MESSAGES = [StateMessage] as const;
export const WEBVIEW_MESSAGES = [ReadyMessage, RefreshMessage, ApplyMessage, CloseMessage] as const;
