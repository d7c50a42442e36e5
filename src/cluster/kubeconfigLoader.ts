// Reads the kubeconfig files that apply, merges them as kubectl does and builds a client config
// for one context. Every failure becomes a KubeconfigError with the file and reason.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, sep } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeconfigSources, resolveKubeconfigSources } from '../core/kubeconfig/sources';
import {
  KubeconfigDoc,
  KubeconfigError,
  contextProblem,
  mergeKubeconfigs,
  parseKubeconfig,
} from '../core/kubeconfig/merge';

export interface LoadedKubeconfig {
  sources: KubeconfigSources;
  doc: KubeconfigDoc;
  /** The files that were read (missing $KUBECONFIG entries are skipped, as kubectl does). */
  files: string[];
}

export function kubeconfigSources(
  setting: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): KubeconfigSources {
  return resolveKubeconfigSources({
    setting,
    envValue: env['KUBECONFIG'],
    home: env['HOME'] || env['USERPROFILE'] || homedir(),
    pathDelimiter: delimiter,
    pathSeparator: sep,
  });
}

export async function loadKubeconfig(sources: KubeconfigSources): Promise<LoadedKubeconfig> {
  const docs: KubeconfigDoc[] = [];
  const files: string[] = [];
  for (const path of sources.paths) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && sources.origin === 'env' && sources.paths.length > 1) continue;
      if (code === 'ENOENT') throw new KubeconfigError(path, 'file not found');
      if (code === 'EISDIR') throw new KubeconfigError(path, 'is a directory, not a kubeconfig file');
      throw new KubeconfigError(path, `cannot be read (${code ?? String(error)})`);
    }
    docs.push(parseKubeconfig(path, text));
    files.push(path);
  }
  if (files.length === 0) throw new KubeconfigError(sources.paths.join(delimiter), 'none of these files exists');
  const doc = mergeKubeconfigs(docs);
  if (doc.contexts.length === 0) throw new KubeconfigError(files.join(delimiter), 'defines no contexts');
  return { sources, doc, files };
}

/** Picks the context to use: an explicit choice if it exists, else current-context, else the first. */
export function chooseContext(doc: KubeconfigDoc, preferred: string | undefined): string {
  if (preferred && doc.contexts.some((c) => c.name === preferred)) return preferred;
  if (doc.currentContext && doc.contexts.some((c) => c.name === doc.currentContext)) return doc.currentContext;
  return doc.contexts[0]!.name;
}

/** A fresh client config for one context, so switching contexts never shares connections or auth. */
export function clientConfigFor(loaded: LoadedKubeconfig, context: string): KubeConfig {
  const problem = contextProblem(loaded.doc, context);
  if (problem) throw new KubeconfigError(loaded.files.join(delimiter), problem);
  const kc = new KubeConfig();
  const merged = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: loaded.doc.clusters,
    users: loaded.doc.users,
    contexts: loaded.doc.contexts,
    'current-context': context,
  };
  try {
    kc.loadFromString(JSON.stringify(merged));
  } catch (error) {
    throw new KubeconfigError(loaded.files.join(delimiter), error instanceof Error ? error.message : String(error));
  }
  return kc;
}
