// Parses and merges kubeconfig documents with kubectl's rules: the first file that defines a
// cluster, user or context name wins; current-context comes from the first file that sets it.
// Relative file references are resolved against the directory of the file that holds them.
import { parse } from 'yaml';

export interface NamedEntry {
  name: string;
  [key: string]: unknown;
}

export interface KubeconfigDoc {
  clusters: NamedEntry[];
  users: NamedEntry[];
  contexts: NamedEntry[];
  currentContext: string;
}

export class KubeconfigError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'KubeconfigError';
  }
}

const FILE_KEYS: Record<string, string[]> = {
  cluster: ['certificate-authority'],
  user: ['client-certificate', 'client-key', 'tokenFile'],
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isAbsolute(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
}

function dirnameOf(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i <= 0 ? (i === 0 ? '/' : '.') : path.slice(0, i);
}

function absolutize(entry: Record<string, unknown>, keys: string[], dir: string): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...entry };
  for (const key of keys) {
    const value = copy[key];
    if (typeof value === 'string' && value !== '' && !isAbsolute(value)) copy[key] = `${dir}/${value}`;
  }
  const exec = copy['exec'];
  if (isRecord(exec) && typeof exec['command'] === 'string') {
    const command = exec['command'];
    // kubectl resolves exec commands containing a path separator relative to the kubeconfig.
    if (command.includes('/') && !isAbsolute(command)) copy['exec'] = { ...exec, command: `${dir}/${command}` };
  }
  return copy;
}

function entries(path: string, doc: Record<string, unknown>, listKey: string, itemKey: string): NamedEntry[] {
  const list = doc[listKey];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new KubeconfigError(path, `"${listKey}" must be a list`);
  return list.map((item, index) => {
    if (!isRecord(item) || typeof item['name'] !== 'string' || item['name'] === '') {
      throw new KubeconfigError(path, `${listKey}[${index}] has no name`);
    }
    const body = item[itemKey];
    if (body !== undefined && !isRecord(body))
      throw new KubeconfigError(path, `${listKey}[${index}].${itemKey} must be a mapping`);
    const fixed = body ? absolutize(body, FILE_KEYS[itemKey] ?? [], dirnameOf(path)) : {};
    return { ...item, name: item['name'], [itemKey]: fixed } as NamedEntry;
  });
}

export function parseKubeconfig(path: string, text: string): KubeconfigDoc {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new KubeconfigError(path, `not valid YAML (${detail})`);
  }
  if (doc === null || doc === undefined) return { clusters: [], users: [], contexts: [], currentContext: '' };
  if (!isRecord(doc))
    throw new KubeconfigError(path, 'expected a kubeconfig mapping with clusters, users and contexts');
  const current = doc['current-context'];
  return {
    clusters: entries(path, doc, 'clusters', 'cluster'),
    users: entries(path, doc, 'users', 'user'),
    contexts: entries(path, doc, 'contexts', 'context'),
    currentContext: typeof current === 'string' ? current : '',
  };
}

export function mergeKubeconfigs(docs: KubeconfigDoc[]): KubeconfigDoc {
  const merged: KubeconfigDoc = { clusters: [], users: [], contexts: [], currentContext: '' };
  const add = (target: NamedEntry[], items: NamedEntry[]) => {
    for (const item of items) if (!target.some((t) => t.name === item.name)) target.push(item);
  };
  for (const doc of docs) {
    add(merged.clusters, doc.clusters);
    add(merged.users, doc.users);
    add(merged.contexts, doc.contexts);
    if (!merged.currentContext && doc.currentContext) merged.currentContext = doc.currentContext;
  }
  return merged;
}

/** Explains why a context cannot be used (missing cluster/user, no server), or undefined when it can. */
export function contextProblem(doc: KubeconfigDoc, contextName: string): string | undefined {
  const ctx = doc.contexts.find((c) => c.name === contextName);
  if (!ctx) return `context "${contextName}" is not defined`;
  const body = (ctx['context'] ?? {}) as Record<string, unknown>;
  const clusterName = body['cluster'];
  if (typeof clusterName !== 'string' || clusterName === '') return `context "${contextName}" names no cluster`;
  const cluster = doc.clusters.find((c) => c.name === clusterName);
  if (!cluster) return `context "${contextName}" refers to cluster "${clusterName}", which is not defined`;
  const server = ((cluster['cluster'] ?? {}) as Record<string, unknown>)['server'];
  if (typeof server !== 'string' || server === '') return `cluster "${clusterName}" has no server address`;
  const userName = body['user'];
  if (typeof userName === 'string' && userName !== '' && !doc.users.some((u) => u.name === userName)) {
    return `context "${contextName}" refers to user "${userName}", which is not defined`;
  }
  return undefined;
}
