// The entry of dist/cluster.js: the Kubernetes client side (@kubernetes/client-node, undici), which
// the extension requires on its first connection, after activation, so activating never parses it.
export { ClusterSession } from './clusterSession';
export { chooseContext, clientConfigFor, kubeconfigSources, loadKubeconfig } from './kubeconfigLoader';
export { readObjectYaml } from './objectReader';
export { readLogTail } from './podLogs';
export { PolicyWatcher } from './policyWatcher';
export { PrometheusDemand } from './prometheusDemand';
