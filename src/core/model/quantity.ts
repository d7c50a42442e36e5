// Kubernetes resource quantities ("128Mi", "250m", "1e3") as plain numbers, and back to text.
// Parsing never throws: anything that is not a well-formed quantity yields undefined.

const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

// sign, digits with optional fraction, then either a decimal exponent or a suffix.
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;
const MAX_LENGTH = 64;

/** The quantity in base units (bytes for memory, cores for cpu), or undefined when malformed. */
export function parseQuantity(text: unknown): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) ? text : undefined;
  if (typeof text !== 'string') return undefined;
  const s = text.trim();
  if (s.length === 0 || s.length > MAX_LENGTH) return undefined;
  const m = QUANTITY.exec(s);
  if (!m) return undefined;
  const [, sign, digits, exponent, suffix] = m;
  let value = Number(digits);
  if (exponent !== undefined) {
    const e = Number(exponent);
    if (!Number.isFinite(e) || Math.abs(e) > 300) return undefined;
    value *= 10 ** e;
  } else if (suffix !== undefined) {
    value *= BINARY[suffix] ?? DECIMAL[suffix] ?? Number.NaN;
  }
  if (!Number.isFinite(value)) return undefined;
  return sign === '-' ? -value : value;
}

/** Memory and storage quantities in bytes. */
export function parseBytes(text: unknown): number | undefined {
  return parseQuantity(text);
}

/** CPU quantities in cores ("250m" → 0.25). */
export function parseCores(text: unknown): number | undefined {
  return parseQuantity(text);
}

/** CPU quantities in millicores ("250m" → 250, "1.5" → 1500), rounded up like the API server. */
export function parseMillicores(text: unknown): number | undefined {
  const cores = parseQuantity(text);
  if (cores === undefined) return undefined;
  const milli = cores * 1000;
  // Guard against binary floating error ("0.3" * 1000 = 300.00000000000006).
  const rounded = Math.round(milli);
  return Math.abs(milli - rounded) < 1e-6 ? rounded : Math.ceil(milli);
}

function trimNumber(value: number, decimals: number): string {
  const fixed = value.toFixed(decimals);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

const BYTE_UNITS: [string, number][] = [
  ['Ei', 2 ** 60],
  ['Pi', 2 ** 50],
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
];

/** Bytes as a readable binary quantity: 314572800 → "300Mi", 1610612736 → "1.5Gi". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '?';
  const sign = bytes < 0 ? '-' : '';
  const abs = Math.abs(bytes);
  for (const [unit, size] of BYTE_UNITS) {
    if (abs >= size) return `${sign}${trimNumber(abs / size, abs / size >= 100 ? 0 : abs / size >= 10 ? 1 : 2)}${unit}`;
  }
  return `${sign}${trimNumber(abs, 0)}`;
}

/** Millicores as a readable cpu quantity: 250 → "250m", 1500 → "1.5", 2000 → "2". */
export function formatMillicores(millicores: number): string {
  if (!Number.isFinite(millicores)) return '?';
  if (Math.abs(millicores) < 1000) return `${trimNumber(millicores, 0)}m`;
  return trimNumber(millicores / 1000, 2);
}
