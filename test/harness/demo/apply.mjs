// Applies a multi-document manifest with server-side apply (like `kubectl apply --server-side`).
//   node test/harness/demo/apply.mjs <kubeconfig> <manifest.yaml> [context]
// Retries while the freshly started API server is still settling (e.g. a namespace not yet visible).
import { readFileSync } from 'node:fs';
import * as k8s from '@kubernetes/client-node';

const [kubeconfig, manifest, context] = process.argv.slice(2);
if (!kubeconfig || !manifest) {
  console.error('usage: node apply.mjs <kubeconfig> <manifest.yaml> [context]');
  process.exit(2);
}

const kc = new k8s.KubeConfig();
kc.loadFromFile(kubeconfig);
if (context) kc.setCurrentContext(context);
const client = k8s.KubernetesObjectApi.makeApiClient(kc);
const documents = k8s.loadAllYaml(readFileSync(manifest, 'utf8')).filter((d) => d && d.kind);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const describe = (o) =>
  `${o.kind.toLowerCase()}/${o.metadata.name}${o.metadata.namespace ? ` -n ${o.metadata.namespace}` : ''}`;

// One deadline for the whole run: a fresh API server settles within seconds, a wrong one never does.
const deadline = Date.now() + 120_000;
const transient = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|socket hang up|fetch failed|other side closed/i;

async function apply(object) {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.patch(object, undefined, undefined, 'nimbusguard-demo', true, k8s.PatchStrategy.ServerSideApply);
      return;
    } catch (error) {
      const code = typeof error?.code === 'number' ? error.code : error?.statusCode;
      // 404: a namespace or a CRD's API not served yet; 409: a conflict with a controller's write.
      const retryable =
        code === 404 ||
        code === 409 ||
        code === 429 ||
        (typeof code === 'number' && code >= 500) ||
        (code === undefined &&
          transient.test(`${error?.message} ${error?.cause?.message ?? ''} ${error?.cause?.code ?? ''}`));
      if (!retryable || Date.now() > deadline) {
        const body =
          typeof error?.body === 'string' ? error.body : JSON.stringify(error?.body ?? String(error?.message ?? error));
        throw new Error(`applying ${describe(object)} failed (${code ?? 'no status'}): ${body}`, { cause: error });
      }
      await sleep(Math.min(500 * attempt, 3000));
    }
  }
}

let failed = 0;
for (const object of documents) {
  try {
    await apply(object);
    console.log(`  applied ${describe(object)}`);
  } catch (error) {
    failed++;
    console.error(`  ${error.message}`);
  }
}
if (failed > 0) {
  console.error(`${failed} of ${documents.length} objects were not applied`);
  process.exit(1);
}
