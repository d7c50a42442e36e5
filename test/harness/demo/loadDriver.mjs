// Varying load for the demo: rewrites the simulator's load annotation (sim.nimbusguard.dev/load-cpu)
// on one Deployment every tick, so its pods' CPU use follows a wave with short bursts, like a day's
// traffic compressed into minutes. Talks only to the local demo cluster, and stops by itself after
// --minutes (default 240) or on SIGINT/SIGTERM.
//   node test/harness/demo/loadDriver.mjs <kubeconfig> [--context C] [--namespace demo-shop]
//        [--name storefront] [--tick 15] [--minutes 240] [--once]
import * as k8s from '@kubernetes/client-node';

const args = process.argv.slice(2);
const kubeconfig = args[0];
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i > 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
if (!kubeconfig || kubeconfig.startsWith('--')) {
  console.error(
    'usage: node loadDriver.mjs <kubeconfig> [--context C] [--namespace N] [--name D] [--tick S] [--minutes M] [--once]',
  );
  process.exit(2);
}
const namespace = option('namespace', 'demo-shop');
const name = option('name', 'storefront');
const tickMs = Math.max(1, Number(option('tick', '15'))) * 1000;
const stopAt = Date.now() + Math.max(1, Number(option('minutes', '240'))) * 60_000;
const once = args.includes('--once');

const kc = new k8s.KubeConfig();
kc.loadFromFile(kubeconfig);
const context = option('context', 'nimbusguard-admin');
if (kc.getContexts().some((c) => c.name === context)) kc.setCurrentContext(context);
const apps = kc.makeApiClient(k8s.AppsV1Api);

/** Millicores at `seconds` since the start: a 20-minute wave between ~150m and ~1000m, a burst every 7 minutes. */
export function loadAt(seconds) {
  const wave = 575 + 425 * Math.sin((2 * Math.PI * seconds) / 1200 - Math.PI / 2);
  const burst = seconds % 420 < 45 ? 350 : 0;
  const jitter = 40 * Math.sin(seconds * 0.7) * Math.cos(seconds * 0.13);
  return Math.max(50, Math.round(wave + burst + jitter));
}

const started = Date.now();
let stopping = false;
let timer;
const stop = () => {
  stopping = true;
  clearTimeout(timer);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

async function tick() {
  if (stopping || Date.now() > stopAt) return;
  const millicores = loadAt((Date.now() - started) / 1000);
  try {
    await apps.patchNamespacedDeployment(
      { namespace, name, body: { metadata: { annotations: { 'sim.nimbusguard.dev/load-cpu': `${millicores}m` } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    console.log(`${new Date().toISOString()} ${namespace}/${name} load-cpu=${millicores}m`);
  } catch (error) {
    // The demo goes on: a missing Deployment or a restarting API server is reported and retried next tick.
    console.error(
      `${new Date().toISOString()} could not set the load of ${namespace}/${name}: ${error?.body?.message ?? error?.message ?? error}`,
    );
  }
  if (!once && !stopping) timer = setTimeout(tick, tickMs);
}

await tick();
