// ContainerFailed: an init container, a sidecar, a Never pod or a Job's pod exited with an error.
// The exit code and message say what kind of failure it is; the fields are the container's command,
// and for a Job its backoffLimit (how many more tries it gets).
import type { SpecEdit, SuggestedFix } from '../model/rootCause';
import { parseBytes } from '../model/quantity';
import { exitMeaning } from './crashRule';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import {
  diagnosis,
  incidentContainer,
  memoryQuantity,
  podsOf,
  q,
  roundUpMemory,
  templateOf,
  type Diagnosis,
} from './ruleSupport';
import { logEvidence, loggedError } from './logEvidence';

function diagnoseFailed(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  const at = templateOf(snapshot, incident.workload);
  const c = incidentContainer(ctx, at);
  const name = c?.spec.name ?? incident.key;
  if (name === undefined) return undefined;
  const status = podsOf(snapshot, incident.workload)
    .flatMap((p) => [...p.initContainerStatuses, ...p.containerStatuses])
    .filter((s) => s.name === name)
    .map((s) => ({ s, t: s.state.terminated ?? s.lastState.terminated }))
    .filter((x) => x.t && x.t.exitCode !== 0)
    .sort((a, b) => (b.t!.finishedAt ?? '').localeCompare(a.t!.finishedAt ?? ''))[0];
  const exit = status?.t;
  const sidecar = c?.init === true && c.spec.restartPolicy === 'Always';
  const role = sidecar ? 'sidecar' : c?.init ? 'init container' : 'container';
  const meaning = exit ? (exit.reason === 'OOMKilled' ? 'was OOMKilled' : exitMeaning(exit.exitCode)) : 'failed';
  const code = exit && !meaning.includes(String(exit.exitCode)) ? ` (exit ${exit.exitCode})` : '';
  const pods = podsOf(snapshot, incident.workload);
  const log = logEvidence(snapshot, pods, name);
  const logged = loggedError(log);
  const message = exit?.message ? `: ${q(exit.message, 160)}` : logged ? `: ${q(logged, 160)}` : '';
  const job =
    incident.workload.kind === 'Job'
      ? snapshot.get('Job', incident.workload.namespace, incident.workload.name)
      : undefined;
  const specRoot = incident.workload.kind === 'CronJob' ? 'spec.jobTemplate.spec' : 'spec';
  const base = c?.path;
  const edits: SpecEdit[] = [];
  if (exit?.reason === 'OOMKilled' && base && c) {
    const limit = parseBytes(c.spec.resources.limits['memory']);
    if (limit !== undefined)
      edits.push({
        path: `${base}.resources.limits.memory`,
        value: memoryQuantity(roundUpMemory(2 * limit)),
        previous: c.spec.resources.limits['memory']!,
      });
  }
  const commandish = exit !== undefined && [2, 126, 127].includes(exit.exitCode);
  const fixes: (SuggestedFix | undefined)[] = [
    edits.length > 0 ? { summary: `Double the memory limit of ${q(name)} to ${edits[0]!.value}`, edits } : undefined,
    {
      summary: commandish
        ? `Fix the command or args of ${role} ${q(name)}`
        : `Read the logs of the failed run of ${role} ${q(name)} and fix the error they show${c?.init && !sidecar ? '; the app containers start only after it succeeds' : ''}`,
    },
  ];
  const who = job ? `Job ${q(job.meta.name)}` : `${incident.workload.kind} ${q(incident.workload.name)}`;
  const retrying = job ? `, ${job.failed} of backoffLimit ${job.backoffLimit} tries used` : '';
  return diagnosis({
    category: exit?.reason === 'OOMKilled' ? 'memory-limit' : 'container-failed',
    summary: `${role} ${q(name)} of ${who} ${meaning}${code}${message}${retrying}`,
    explanation: sidecar
      ? `Sidecar ${q(name)} runs beside the app for the pod's lifetime and keeps exiting; the kubelet restarts it with back-off, and whatever it provides (proxying, log shipping) is missing meanwhile.`
      : c?.init
        ? `Init container ${q(name)} must succeed before the app containers start; it exits with an error, so the pods never start.${commandish ? ' The exit code points at its command.' : ''}`
        : job
          ? `Pods of Job ${q(job.meta.name)} fail and the Job retries them; once ${job.backoffLimit} have failed it gives up.`
          : `The pod does not restart its containers (restartPolicy ${q(at?.template.restartPolicy ?? 'Never', 20)}), so it stays Failed.`,
    confidence: exit ? (commandish || exit.reason === 'OOMKilled' ? 0.7 : 0.6) : 0.4,
    fields: [
      base && edits.length > 0 ? `${base}.resources.limits.memory` : undefined,
      base ? `${base}.command` : undefined,
      base ? `${base}.args` : undefined,
      job ? `${specRoot}.backoffLimit` : undefined,
    ],
    evidence: [log, ...incident.evidence],
    fixes,
  });
}

export const containerFailedRule: DiagnosisRule = {
  types: ['ContainerFailed'],
  diagnose: diagnoseFailed,
};
