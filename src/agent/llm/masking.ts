// Masks the names that identify a cluster (namespaces, workloads, pods, containers, images, hosts,
// IPs, nodes) before a root cause leaves the machine, and restores them in the answer.
//
// Names are collected from the structured fields first (incident.workload, evidence sources,
// container names in field paths, image values in fixes) and then from free text (images in event
// messages, URLs, host:port pairs, dotted hostnames, IPv4 addresses). Replacement is a single pass
// over one alternation sorted longest first, so a name that is a substring of another never splits
// it, and a placeholder inserted earlier is never matched again.
import type { Incident } from '../../core/model/incident';
import type { ObjectRef } from '../../core/model/resources';
import type { RootCause } from '../../core/model/rootCause';
import { containerNamesIn, tryParseFieldPath } from '../../core/model/fieldPath';
import { isPodOwnerKind } from '../../core/model/workload';

export type MaskKind = 'ns' | 'workload' | 'pod' | 'container' | 'node' | 'object' | 'image' | 'host' | 'ip';

/** Namespaces every cluster has; they say nothing about the user's cluster and stay readable. */
const WELL_KNOWN_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/** A name is cut out only where it is not glued to more letters or digits ("api" in "apiVersion" stays). */
const BEFORE = '(?<![A-Za-z0-9_])';
const AFTER = '(?![A-Za-z0-9_])';

const PLACEHOLDER = /<(ns|workload|pod|container|node|object|image|host|ip)-(\d+)>/g;
const HAS_PLACEHOLDER = /<(ns|workload|pod|container|node|object|image|host|ip)-(\d+)>/;

/** Incident types whose key is the container name. */
const CONTAINER_KEYED = new Set<Incident['type']>([
  'ContainerFailed',
  'CrashLoopBackOff',
  'OOMKilled',
  'ImagePullBackOff',
  'CreateContainerConfigError',
  'ReadinessProbeFailing',
]);

/** Top-level domains and cluster suffixes that make a dotted word a hostname rather than a field path. */
const HOST_SUFFIXES = new Set([
  'com',
  'net',
  'org',
  'io',
  'dev',
  'app',
  'cloud',
  'ai',
  'co',
  'me',
  'sh',
  'tech',
  'info',
  'biz',
  'eu',
  'us',
  'uk',
  'de',
  'fr',
  'nl',
  'ch',
  'at',
  'se',
  'no',
  'fi',
  'dk',
  'pl',
  'es',
  'it',
  'jp',
  'cn',
  'in',
  'br',
  'ca',
  'au',
  'ru',
  'kr',
  'local',
  'internal',
  'intranet',
  'lan',
  'corp',
  'home',
  'svc',
  'cluster',
  'example',
  'test',
  'invalid',
  'localhost',
]);

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

export class Masker {
  private readonly byName = new Map<string, string>();
  private readonly byPlaceholder = new Map<string, string>();
  private readonly counters = new Map<MaskKind, number>();
  private pattern: RegExp | undefined;

  /** Builds a masker from everything in the root cause and incident that names something. */
  static forRootCause(rootCause: RootCause, incident: Incident): Masker {
    const masker = new Masker();
    masker.addRef(incident.workload, true);
    for (const item of [...incident.evidence, ...rootCause.evidence]) masker.addRef(item.source, false);
    for (const fix of rootCause.fixes) if (fix.target) masker.addRef(fix.target, false);
    if (incident.key) masker.add(CONTAINER_KEYED.has(incident.type) ? 'container' : 'object', incident.key);
    const paths = [
      ...rootCause.fields,
      ...rootCause.evidence.map((e) => e.field ?? ''),
      ...incident.evidence.map((e) => e.field ?? ''),
      ...rootCause.fixes.flatMap((f) => (f.edits ?? []).map((e) => e.path)),
    ];
    for (const path of paths) for (const name of containerNamesInPath(path)) masker.add('container', name);
    for (const fix of rootCause.fixes) {
      for (const edit of fix.edits ?? []) {
        const last = tryParseFieldPath(edit.path)?.at(-1);
        if (last?.kind !== 'key' || last.key !== 'image') continue;
        for (const value of [edit.value, edit.previous]) if (typeof value === 'string') masker.addImage(value);
      }
    }
    const texts = [
      rootCause.summary,
      rootCause.explanation,
      incident.summary,
      ...rootCause.evidence.flatMap((e) => [e.text, e.reason ?? '']),
      ...incident.evidence.flatMap((e) => [e.text, e.reason ?? '']),
      ...rootCause.fixes.flatMap((f) => [
        f.summary,
        ...(f.edits ?? []).flatMap((e) => [String(e.value), String(e.previous ?? '')]),
      ]),
      ...rootCause.fields,
    ];
    for (const text of texts) masker.scanText(text);
    return masker;
  }

  /** Registers a name under a kind; returns its placeholder (the existing one if already known). */
  add(kind: MaskKind, name: string): string | undefined {
    const trimmed = name.trim();
    if (!trimmed || HAS_PLACEHOLDER.test(trimmed)) return undefined;
    if (kind === 'ns' && WELL_KNOWN_NAMESPACES.has(trimmed)) return undefined;
    const known = this.byName.get(trimmed);
    if (known) return known;
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    const placeholder = `<${kind}-${n}>`;
    this.byName.set(trimmed, placeholder);
    this.byPlaceholder.set(placeholder, trimmed);
    this.pattern = undefined;
    return placeholder;
  }

  addRef(ref: ObjectRef, isIncidentWorkload: boolean): void {
    if (ref.namespace) this.add('ns', ref.namespace);
    if (!ref.name) return;
    if (ref.kind === 'Namespace') this.add('ns', ref.name);
    else if (ref.kind === 'Node') this.add('node', ref.name);
    else if (ref.kind === 'Pod') this.add('pod', ref.name);
    else if (isIncidentWorkload || isPodOwnerKind(ref.kind) || ref.kind === 'HorizontalPodAutoscaler')
      this.add('workload', ref.name);
    else this.add('object', ref.name);
  }

  /**
   * An image reference "registry:5000/team/api:1.4@sha256:…": the registry host and the repository
   * are masked, the tag and digest stay (a wrong tag is often the cause being explained).
   */
  addImage(image: string): void {
    const ref = image.trim().replace(/^["']|["']$/g, '');
    if (!ref || /\s/.test(ref)) return;
    const withoutDigest = ref.split('@')[0]!;
    const lastSlash = withoutDigest.lastIndexOf('/');
    const colon = withoutDigest.lastIndexOf(':');
    const repository = colon > lastSlash ? withoutDigest.slice(0, colon) : withoutDigest;
    if (!repository) return;
    const first = repository.split('/')[0]!;
    const hasRegistry =
      repository.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
    if (hasRegistry) {
      const host = first.split(':')[0]!;
      this.add(isIPv4(host) ? 'ip' : 'host', host);
      this.add('host', first);
    }
    this.add('image', repository);
  }

  /** Finds images, URLs, hostnames and IPv4 addresses in free text. */
  scanText(text: string): void {
    if (!text) return;
    for (const m of text.matchAll(/\bimages?\s+["'`]([^"'`\s]+)["'`]/gi)) this.addImage(m[1]!);
    for (const m of text.matchAll(/\bimage(?:[:=]\s*|\s+)([a-z0-9][\w./:@-]*\w)/gi))
      if (/[/:.]/.test(m[1]!)) this.addImage(m[1]!);
    for (const m of text.matchAll(/\b[a-z][a-z0-9+.-]*:\/\/(?:[^@\s/]*@)?(\[[0-9a-fA-F:]+\]|[^\s/:?#"'<>]+)/gi))
      this.addHost(m[1]!);
    for (const m of text.matchAll(
      /\b(?:lookup|dial tcp|dial udp|host|server|endpoint)\s+([a-z0-9][a-z0-9.-]*[a-z0-9])/gi,
    )) {
      if (m[1]!.includes('.') && !/^\d+(\.\d+)?$/.test(m[1]!)) this.addHost(m[1]!);
    }
    for (const m of text.matchAll(/(?<![\w.-])([a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)+):\d{1,5}\b/gi)) this.addHost(m[1]!);
    for (const m of text.matchAll(
      /(?<![\w.-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62})(?![\w-])/g,
    )) {
      const labels = m[1]!.split('.');
      if (HOST_SUFFIXES.has(labels[labels.length - 1]!) && !looksLikeFieldPath(text, m.index!)) this.addHost(m[1]!);
    }
    for (const m of text.matchAll(/(?<![\w.])(\d{1,3}(?:\.\d{1,3}){3})(?!\w|\.\d)/g))
      if (isIPv4(m[1]!)) this.add('ip', m[1]!);
    this.scanObjectNames(text);
  }

  /**
   * Objects named after their kind in rule and kubelet messages: `ConfigMap app-config`,
   * `secret "db-creds" not found`, `Service shop/api`, `Deployment/web`, `repository team/api`,
   * `imagePullSecrets: a, b`, `pods on the node: p1, p2`. An unquoted word counts as a name only
   * if it looks like one (has a dash, dot or digit) or the message says it is missing, so prose
   * such as "Secret exists" is left alone.
   */
  private scanObjectNames(text: string): void {
    for (const m of text.matchAll(KIND_THEN_NAME)) {
      const kind = kindOfWord(m[1]!);
      const quoted = m[2] ?? m[3];
      const name = quoted ?? m[4]!;
      const after = text.slice(m.index! + m[0].length);
      if (!quoted && !(/[-.\d/]/.test(name) || /^\s+(?:not found|does not exist|is missing|in namespace)/i.test(after)))
        continue;
      if (!/^[a-z0-9][a-z0-9./-]*$/.test(name) || !/[a-z]/.test(name)) continue;
      const slash = name.indexOf('/');
      if (kind === 'image') this.addImage(name);
      else if (slash > 0 && kind !== 'ns') {
        this.add('ns', name.slice(0, slash));
        this.add(kind, name.slice(slash + 1));
      } else this.add(kind, name);
    }
    for (const m of text.matchAll(
      /\b(Deployment|StatefulSet|DaemonSet|ReplicaSet|Job|CronJob|Pod|Service|ConfigMap|Secret|PersistentVolumeClaim|HorizontalPodAutoscaler|Node)\/([a-z0-9][a-z0-9.-]*)/g,
    )) {
      this.add(kindOfWord(m[1]!), m[2]!);
    }
    for (const m of text.matchAll(/\b(imagePullSecrets|pods? on the node|Affected):\s*([a-z0-9][a-z0-9./ ,-]*)/g)) {
      const kind: MaskKind = m[1] === 'imagePullSecrets' ? 'object' : m[1] === 'Affected' ? 'workload' : 'pod';
      for (const item of m[2]!
        .split(',')
        .map((x) => x.trim())
        .filter((x) => /^[a-z0-9][a-z0-9./-]*$/.test(x))) {
        const parts = item.split('/');
        if (parts.length === 2) {
          this.add('ns', parts[0]!);
          this.add(kind, parts[1]!);
        } else this.add(kind, item);
      }
    }
  }

  private addHost(host: string): void {
    const clean = host.replace(/^\[|\]$/g, '').replace(/\.$/, '');
    if (!clean) return;
    if (isIPv4(clean)) this.add('ip', clean);
    else if (clean.includes(':')) this.add('ip', clean);
    else if (clean.includes('.') || clean === 'localhost') this.add('host', clean);
  }

  get size(): number {
    return this.byName.size;
  }

  /** The known name → placeholder pairs, for tests and diagnostics (never sent anywhere). */
  entries(): [string, string][] {
    return [...this.byName.entries()];
  }

  mask(text: string): string {
    const pattern = this.compiled();
    if (!pattern) return text;
    return text.replace(pattern, (name) => this.byName.get(name) ?? name);
  }

  unmask(text: string): string {
    return text.replace(PLACEHOLDER, (placeholder) => this.byPlaceholder.get(placeholder) ?? placeholder);
  }

  /** Masks every string value inside a JSON-like value; keys are structure and stay. */
  maskValue<T>(value: T): T {
    return this.mapStrings(value, (s) => this.mask(s)) as T;
  }

  unmaskValue<T>(value: T): T {
    return this.mapStrings(value, (s) => this.unmask(s)) as T;
  }

  private mapStrings(value: unknown, f: (s: string) => string): unknown {
    if (typeof value === 'string') return f(value);
    if (Array.isArray(value)) return value.map((v) => this.mapStrings(v, f));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.mapStrings(v, f)]));
    }
    return value;
  }

  private compiled(): RegExp | undefined {
    if (this.pattern) return this.pattern;
    if (this.byName.size === 0) return undefined;
    const names = [...this.byName.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
    // Placeholders already in the text are matched first and kept, so masking twice changes nothing.
    this.pattern = new RegExp(`${PLACEHOLDER.source}|${BEFORE}(?:${names.map(escapeRegExp).join('|')})${AFTER}`, 'g');
    return this.pattern;
  }
}

const KIND_WORDS =
  'configmaps?|secrets?|services?|serviceaccounts?|persistentvolumeclaims?|pvcs?|claims?|storage ?class(?:es)?|' +
  'priorityclass(?:es)?|deployments?|statefulsets?|daemonsets?|replicasets?|jobs?|cronjobs?|pods?|nodes?|ingress(?:es)?|' +
  'volumes?|containers?|namespaces?|repository|webhooks?|' +
  'pdbs?|poddisruptionbudgets?|persistentvolumes?|ingressclass(?:es)?|gatewayclass(?:es)?|gateways?|httproutes?';
const KIND_THEN_NAME = new RegExp(
  `\\b(${KIND_WORDS})\\s+(?:"([^"\\s]+)"|'([^'\\s]+)'|([A-Za-z0-9][\\w.\\/-]*[A-Za-z0-9]|[A-Za-z0-9]))`,
  'gi',
);

function kindOfWord(word: string): MaskKind {
  const w = word.toLowerCase();
  if (w.startsWith('pod')) return 'pod';
  if (w.startsWith('node')) return 'node';
  if (w.startsWith('namespace')) return 'ns';
  if (w.startsWith('container')) return 'container';
  if (w === 'repository') return 'image';
  if (/^(deployment|statefulset|daemonset|replicaset|job|cronjob|horizontalpodautoscaler)/.test(w)) return 'workload';
  return 'object';
}

/** `containers[name=api]`, `initContainers[name="db-migrate"]` → api, db-migrate; nothing from a malformed path. */
export function containerNamesInPath(path: string): string[] {
  const segments = tryParseFieldPath(path);
  return segments ? containerNamesIn(segments) : [];
}

export function isIPv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/** "spec.template.spec" or "status.containerStatuses" are paths, not hosts. */
function looksLikeFieldPath(text: string, index: number): boolean {
  const rest = text.slice(index);
  return /^(spec|status|metadata|data|resources|limits|requests)\./.test(rest);
}
