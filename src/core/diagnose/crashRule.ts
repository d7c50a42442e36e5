// A container that keeps exiting, without a rollout to blame: the exit code and last message say
// what kind of failure it is, and a liveness probe that kills it is named as such.
import type { ContainerStatus, Pod } from '../model/resources';
import type { SpecEdit } from '../model/rootCause';
import { clip } from '../detect/support';
import { refOf } from '../model/objectRef';
import { podEvents, statusField } from '../detect/pods';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { diagnosis, incidentContainer, podsOf, q, templateOf, type Diagnosis } from './ruleSupport';
import { logEvidence, loggedError } from './logEvidence';

/** What an exit code usually means for a container process. */
export function exitMeaning(code: number): string {
  if (code === 0) return 'exited successfully, but the pod restarts it: the process is not long-running';
  if (code === 1) return 'exited with a generic application error';
  if (code === 2) return 'exited with a usage error (bad arguments or shell syntax)';
  if (code === 126) return 'could not execute its command (permission or not an executable)';
  if (code === 127) return 'could not find its command in the image';
  if (code === 128 + 9) return 'was killed (SIGKILL)';
  if (code === 128 + 6) return 'aborted (SIGABRT)';
  if (code === 128 + 11) return 'crashed with a segmentation fault (SIGSEGV)';
  if (code === 128 + 15) return 'was stopped (SIGTERM)';
  if (code > 128 && code < 160) return `was killed by signal ${code - 128}`;
  return `exited with code ${code}`;
}

function worst(pods: readonly Pod[], name: string): { pod: Pod; status: ContainerStatus; init: boolean } | undefined {
  let best: { pod: Pod; status: ContainerStatus; init: boolean } | undefined;
  for (const pod of pods) {
    for (const [init, list] of [
      [false, pod.containerStatuses],
      [true, pod.initContainerStatuses],
    ] as const) {
      for (const status of list) {
        if (status.name === name && (!best || status.restartCount > best.status.restartCount))
          best = { pod, status, init };
      }
    }
  }
  return best;
}

function diagnoseCrash(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident, now } = ctx;
  const at = templateOf(snapshot, incident.workload);
  const c = incidentContainer(ctx, at);
  const name = c?.spec.name ?? incident.key;
  if (name === undefined) return undefined;
  const pods = podsOf(snapshot, incident.workload);
  const hit = worst(pods, name);
  const last = hit?.status.lastState.terminated ?? hit?.status.state.terminated;
  const liveness = podEvents(
    snapshot,
    pods,
    ['Unhealthy', 'Killing'],
    now,
    (e) => e.message.includes('Liveness probe') || e.message.includes('liveness probe'),
    3,
  );
  const probe = c?.spec.livenessProbe;
  const base = c?.path;
  if (liveness.length > 0 && probe) {
    const edits: SpecEdit[] = base
      ? [
          {
            path: `${base}.livenessProbe.initialDelaySeconds`,
            value: Math.max(30, probe.initialDelaySeconds * 2),
            previous: probe.initialDelaySeconds,
          },
          {
            path: `${base}.livenessProbe.failureThreshold`,
            value: Math.max(probe.failureThreshold, 5),
            previous: probe.failureThreshold,
          },
        ]
      : [];
    return diagnosis({
      category: 'crash',
      summary: `liveness probe ${q(probe.target || probe.type)} of container ${q(name)} fails and the kubelet restarts it (initialDelay ${probe.initialDelaySeconds}s, timeout ${probe.timeoutSeconds}s, failureThreshold ${probe.failureThreshold})`,
      explanation: `The container is not crashing by itself: its liveness probe fails and the kubelet kills it. Either the probe starts too early or is too strict for the app, or the endpoint it checks is wrong. Last probe failure: ${q(liveness[0]!.text, 200)}.`,
      confidence: 0.75,
      fields: base ? [`${base}.livenessProbe`] : [],
      evidence: [
        base
          ? {
              kind: 'spec',
              source: incident.workload,
              field: `${base}.livenessProbe`,
              text: clip(
                `livenessProbe ${probe.target || probe.type}, initialDelay ${probe.initialDelaySeconds}s, period ${probe.periodSeconds}s, timeout ${probe.timeoutSeconds}s, failureThreshold ${probe.failureThreshold}`,
              ),
            }
          : undefined,
        ...liveness,
        hit && last
          ? {
              kind: 'status',
              source: refOf('Pod', hit.pod.meta),
              field: statusField(name, 'lastState.terminated', hit.init),
              text: clip(`${last.reason || 'terminated'}, exit code ${last.exitCode}`),
              reason: last.reason,
            }
          : undefined,
      ],
      fixes: [
        edits.length > 0
          ? {
              summary: `Give the liveness probe more time (initialDelaySeconds ${edits[0]!.value}, failureThreshold ${edits[1]!.value}), or fix the endpoint it checks`,
              edits,
            }
          : { summary: 'Fix the endpoint the liveness probe checks, or relax its timing' },
      ],
    });
  }
  const exit = last?.exitCode;
  const log = logEvidence(snapshot, hit ? [hit.pod, ...pods.filter((p) => p !== hit.pod)] : pods, name);
  const logged = loggedError(log);
  const message = last?.message ? q(last.message, 160) : logged ? q(logged, 160) : undefined;
  const meaning = exit !== undefined ? exitMeaning(exit) : 'keeps exiting';
  const commandish = exit === 126 || exit === 127 || exit === 2 || exit === 0;
  const cmd = c ? [...c.spec.command, ...c.spec.args].join(' ') : '';
  const fields = base ? [`${base}.command`, `${base}.args`] : [];
  return diagnosis({
    category: 'crash',
    summary: `container ${q(name)} ${meaning}${exit !== undefined && !meaning.includes(String(exit)) ? ` (exit ${exit})` : ''}${message ? `: ${message}` : ''}`,
    explanation: `The container starts and exits again, ${hit ? `${hit.status.restartCount} restarts so far` : 'repeatedly'}. ${commandish ? `Exit code ${exit} points at the command itself${cmd ? ` (${q(cmd, 160)})` : ''}.` : logged ? `The log of the crashed run says why: ${q(logged, 200)}.` : 'The exit code alone does not say why; the logs of the previous run (kubectl logs --previous) usually do.'}${message && message !== q(logged, 160) ? ` Last message: ${message}.` : ''}`,
    confidence: commandish ? 0.6 : 0.5,
    fields,
    evidence: [
      hit && last
        ? {
            kind: 'status',
            source: refOf('Pod', hit.pod.meta),
            field: statusField(name, 'lastState.terminated', hit.init),
            text: clip(
              `${last.reason || 'terminated'}, exit code ${last.exitCode}${last.message ? `: ${last.message}` : ''}`,
            ),
            reason: last.reason,
            ...(last.finishedAt ? { lastSeen: last.finishedAt } : {}),
          }
        : undefined,
      log,
      base && cmd
        ? { kind: 'spec', source: incident.workload, field: `${base}.command`, text: clip(`command ${cmd}`) }
        : undefined,
      ...incident.evidence,
    ],
    fixes: [
      {
        summary: commandish
          ? `Fix the command or args of ${q(name)} so the process starts and keeps running`
          : `Read the logs of the crashed run of ${q(name)} (kubectl logs --previous) and fix the error they show`,
      },
    ],
  });
}

export const crashRule: DiagnosisRule = {
  types: ['CrashLoopBackOff'],
  diagnose: diagnoseCrash,
};
