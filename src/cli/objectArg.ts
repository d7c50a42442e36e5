// KIND/NAME as kubectl reads it: `deployment/web`, `deploy/web`, `Deployment/web`, `deployments.apps/web`.
const KIND_NAMES: Record<string, string> = {};
const ALIASES: [string, string[]][] = [
  ['Deployment', ['deployment', 'deployments', 'deploy', 'deployment.apps', 'deployments.apps']],
  ['StatefulSet', ['statefulset', 'statefulsets', 'sts', 'statefulset.apps', 'statefulsets.apps']],
  ['DaemonSet', ['daemonset', 'daemonsets', 'ds', 'daemonset.apps', 'daemonsets.apps']],
  ['Job', ['job', 'jobs', 'job.batch', 'jobs.batch']],
  ['CronJob', ['cronjob', 'cronjobs', 'cj', 'cronjob.batch', 'cronjobs.batch']],
  ['Service', ['service', 'services', 'svc']],
  [
    'HorizontalPodAutoscaler',
    [
      'horizontalpodautoscaler',
      'horizontalpodautoscalers',
      'hpa',
      'horizontalpodautoscaler.autoscaling',
      'horizontalpodautoscalers.autoscaling',
    ],
  ],
  [
    'NetworkPolicy',
    [
      'networkpolicy',
      'networkpolicies',
      'netpol',
      'networkpolicy.networking.k8s.io',
      'networkpolicies.networking.k8s.io',
    ],
  ],
];
for (const [kind, names] of ALIASES) for (const n of names) KIND_NAMES[n] = kind;

export function parseObjectArg(text: string | undefined): { kind: string; name: string } | { error: string } {
  if (!text) return { error: 'name the object as KIND/NAME, e.g. deployment/web' };
  const slash = text.indexOf('/');
  if (slash <= 0 || slash === text.length - 1 || text.indexOf('/', slash + 1) !== -1)
    return { error: `"${text}" is not KIND/NAME (e.g. deployment/web)` };
  const kind = KIND_NAMES[text.slice(0, slash).toLowerCase()];
  const name = text.slice(slash + 1);
  if (!kind)
    return {
      error: `unknown kind "${text.slice(0, slash)}" (deployment, statefulset, daemonset, job, cronjob, service, hpa, networkpolicy)`,
    };
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253)
    return { error: `"${name}" is not a valid object name` };
  return { kind, name };
}
