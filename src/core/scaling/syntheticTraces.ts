// Synthetic per-tick (15 s) request-rate series with known shapes: used to train the Q-learning
// agent and to check that policies hold up beyond the shared traces.
import { seededRandom, type Random } from '../learning/seededRandom';

export type SyntheticShape =
  | 'diurnal'
  | 'stepSurge'
  | 'slowRamp'
  | 'noisyLowRate'
  | 'nearZero'
  | 'flashCrowds'
  | 'sawtooth'
  | 'burstyPoisson'
  | 'weekly'
  | 'slowDrift'
  | 'stepDown';

/** The shapes the Q-learning agent trains on. */
export const SYNTHETIC_SHAPES: readonly SyntheticShape[] = [
  'diurnal',
  'stepSurge',
  'slowRamp',
  'noisyLowRate',
  'nearZero',
  'flashCrowds',
  'sawtooth',
];

/** Every shape, for comparing policies beyond the shared traces (the last four are never trained on). */
export const EVALUATION_SHAPES: readonly SyntheticShape[] = [
  ...SYNTHETIC_SHAPES,
  'burstyPoisson',
  'weekly',
  'slowDrift',
  'stepDown',
];

const TICKS_PER_DAY = 5760;

/** Poisson-like count noise: a rate `rps` measured over `seconds`. */
function countNoise(random: Random, rps: number, seconds: number): number {
  const mean = rps * seconds;
  if (mean <= 0) return 0;
  const u1 = Math.max(1e-12, random());
  const u2 = random();
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  return Math.max(0, Math.round(mean + z * Math.sqrt(mean))) / seconds;
}

export function syntheticTrace(shape: SyntheticShape, ticks: number, seed = 1): Float64Array {
  const random = seededRandom(seed);
  const out = new Float64Array(ticks);
  const base = 50 + random() * 500;
  const phase = random() * TICKS_PER_DAY;
  for (let i = 0; i < ticks; i++) {
    const day = Math.sin((2 * Math.PI * (i + phase)) / TICKS_PER_DAY);
    let rate: number;
    switch (shape) {
      case 'diurnal':
        rate = base * (1 + 0.6 * day) * (1 + 0.03 * (random() - 0.5));
        break;
      case 'stepSurge': {
        const period = 720;
        const inSurge = i % period >= period / 2;
        rate = base * (inSurge ? 3 : 1) * (1 + 0.05 * (random() - 0.5));
        break;
      }
      case 'slowRamp':
        rate = base * (0.2 + (2.5 * i) / Math.max(1, ticks)) * (1 + 0.04 * (random() - 0.5));
        break;
      case 'noisyLowRate': {
        const minute = Math.floor(i / 4);
        const held = seededRandom(seed * 7919 + minute);
        rate = countNoise(held, 1 + 0.6 * Math.sin((2 * Math.PI * (minute * 4 + phase)) / TICKS_PER_DAY), 60);
        break;
      }
      case 'nearZero':
        rate = random() < 0.05 ? random() * 3 : 0.02 * random();
        break;
      case 'flashCrowds': {
        const t = i % 1440;
        const bump = (t - 620) / 60;
        const spike = t > 600 && t < 760 ? 1 + 5 * Math.exp(-(bump * bump)) + (t > 620 ? 1.5 : (t - 600) / 13) : 1;
        rate = base * (1 + 0.3 * day) * spike * (1 + 0.08 * (random() - 0.5));
        break;
      }
      case 'sawtooth':
        rate = base * (1 + (i % 480) / 160) * (1 + 0.05 * (random() - 0.5));
        break;
      case 'burstyPoisson': {
        // Per-tick counts at a moderate diurnal rate, with bursts of 2-4x lasting a few minutes.
        const burst = i % 400 < 12 ? 2 + 2 * ((Math.floor(i / 400) * 0.618) % 1) : 1;
        rate = countNoise(random, (base / 40) * (1 + 0.5 * day) * burst, 15);
        break;
      }
      case 'weekly': {
        const weekday = Math.floor((i + phase) / TICKS_PER_DAY) % 7;
        const weekend = weekday >= 5 ? 0.55 : 1;
        rate = base * weekend * (1 + 0.5 * day) * (1 + 0.04 * (random() - 0.5));
        break;
      }
      case 'slowDrift': {
        const drift =
          1 + 0.8 * Math.sin((2 * Math.PI * i) / (TICKS_PER_DAY * 5)) + 0.4 * Math.sin((2 * Math.PI * i) / 1700);
        rate = base * Math.max(0.1, drift) * (1 + 0.06 * (random() - 0.5));
        break;
      }
      case 'stepDown': {
        // Held high, then dropping to a third for a while: tests how fast pods are given back, and
        // that they are back in time when the load returns.
        const inLull = i % 1000 >= 600;
        rate = base * (inLull ? 1 : 3) * (1 + 0.05 * (random() - 0.5));
        break;
      }
    }
    out[i] = Math.max(0, rate);
  }
  return out;
}

// Seeded families of traces: every seed draws its own shape parameters (heights, widths, periods, noise,
// and whether the values are held for a minute, as a 60 s trace is on 15 s ticks), so a policy is tried on
// many shapes it was never tuned on.

export type TraceFamily = 'bursts' | 'flashCrowds' | 'diurnalNoise' | 'steps' | 'slowRamps' | 'lowRateCounts';

export const TRACE_FAMILIES: readonly TraceFamily[] = [
  'bursts',
  'flashCrowds',
  'diurnalNoise',
  'steps',
  'slowRamps',
  'lowRateCounts',
];

/** Two days of 15 s ticks per family trace. */
export const FAMILY_TICKS = 2 * TICKS_PER_DAY;

/** Seeds a policy may be tuned on, and seeds held aside to judge it (never looked at while tuning). */
export const TUNING_SEEDS: readonly number[] = [1, 2, 3, 4, 5, 6];
export const HELD_ASIDE_SEEDS: readonly number[] = [9101, 9102, 9103, 9104, 9105, 9106, 9107, 9108, 9109, 9110];

/** A standard normal draw (Box-Muller). */
function gauss(random: Random): number {
  const u1 = Math.max(1e-12, random());
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * random());
}

/** A Poisson count with mean `mean` (exact for small means, normal beyond). */
function poisson(random: Random, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 60) return Math.max(0, Math.round(mean + gauss(random) * Math.sqrt(mean)));
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = random(); p > limit; p *= random()) k++;
  return k;
}

function between(random: Random, low: number, high: number): number {
  return low + (high - low) * random();
}

/** A gap drawn from an exponential distribution with the given mean, at least one tick. */
function gap(random: Random, mean: number): number {
  return Math.max(1, Math.round(-Math.log(Math.max(1e-12, random())) * mean));
}

/** One trace of `family` for `seed`: per-tick request rates. */
export function familyTrace(family: TraceFamily, seed: number, ticks = FAMILY_TICKS): Float64Array {
  const draw = seededRandom(seed * 7919 + TRACE_FAMILIES.indexOf(family) * 104_729 + 17);
  const noise = seededRandom(seed * 31 + TRACE_FAMILIES.indexOf(family) + 99_991);
  const base = Math.exp(between(draw, Math.log(5), Math.log(2000)));
  const amplitude = between(draw, 0, 0.7);
  const phase = draw() * TICKS_PER_DAY;
  const sigma = between(draw, 0.01, 0.12);
  const heldTicks = draw() < 0.3 ? 4 : 1;
  const shape = new Float64Array(ticks);
  const diurnal = (i: number) => 1 + amplitude * Math.sin((2 * Math.PI * (i + phase)) / TICKS_PER_DAY);
  switch (family) {
    case 'bursts': {
      // Bursts of a seed-drawn typical height, width and spacing; each burst varies around them.
      const height = between(draw, 1.5, 6);
      const width = between(draw, 1, 40);
      const period = between(draw, 20, 800);
      shape.fill(1);
      for (let at = gap(draw, period); at < ticks; at += gap(draw, period)) {
        const h = 1 + (height - 1) * between(draw, 0.4, 1.6);
        const w = Math.max(1, Math.round(width * between(draw, 0.3, 1.7)));
        for (let k = at; k < Math.min(ticks, at + w); k++) shape[k]! += h - 1;
      }
      break;
    }
    case 'flashCrowds': {
      // A few crowds a day: a fast rise to several times the level, then a slow decay.
      const perDay = between(draw, 1, 5);
      shape.fill(1);
      for (let at = gap(draw, TICKS_PER_DAY / perDay); at < ticks; at += gap(draw, TICKS_PER_DAY / perDay)) {
        const peak = between(draw, 2, 10);
        const rise = Math.round(between(draw, 1, 40));
        const halfLife = between(draw, 20, 400);
        for (let k = at; k < ticks; k++) {
          const since = k - at;
          const f = since < rise ? (since + 1) / rise : 2 ** (-(since - rise) / halfLife);
          if (f < 0.01) break;
          shape[k]! += (peak - 1) * f;
        }
      }
      break;
    }
    case 'diurnalNoise': {
      // A daily cycle with a second harmonic and autocorrelated noise.
      const second = between(draw, 0, 0.3);
      const phi = between(draw, 0, 0.95);
      let ar = 0;
      for (let i = 0; i < ticks; i++) {
        ar = phi * ar + Math.sqrt(1 - phi * phi) * gauss(noise) * sigma * 2;
        shape[i] = Math.max(0.05, 1 + second * Math.sin((4 * Math.PI * (i + phase)) / TICKS_PER_DAY) + ar);
      }
      break;
    }
    case 'steps': {
      // Level changes at random times by random factors.
      const every = between(draw, 40, 800);
      const spread = between(draw, 0.2, 0.9);
      let level = 1;
      for (let i = 0, next = gap(draw, every); i < ticks; i++) {
        if (i === next) {
          level = Math.min(10, Math.max(0.1, level * Math.exp(spread * gauss(draw))));
          next += gap(draw, every);
        }
        shape[i] = level;
      }
      break;
    }
    case 'slowRamps': {
      // Piecewise-linear ramps between random levels, each over minutes to hours.
      let from = 1;
      let to = Math.exp(between(draw, Math.log(0.2), Math.log(4)));
      let start = 0;
      let length = Math.round(between(draw, 100, 3000));
      for (let i = 0; i < ticks; i++) {
        if (i - start >= length) {
          [from, to, start, length] = [
            to,
            Math.exp(between(draw, Math.log(0.2), Math.log(4))),
            i,
            Math.round(between(draw, 100, 3000)),
          ];
        }
        shape[i] = from + ((to - from) * (i - start)) / length;
      }
      break;
    }
    case 'lowRateCounts':
      shape.fill(1);
      break;
  }
  const out = new Float64Array(ticks);
  const countSeconds = 15 * heldTicks;
  for (let i = 0; i < ticks; i++) {
    if (heldTicks > 1 && i % heldTicks !== 0) {
      out[i] = out[i - 1]!;
      continue;
    }
    if (family === 'lowRateCounts') {
      // Requests counted per interval at a rate of a fraction of a request to a few per second.
      const rate = (0.05 + base / 400) * diurnal(i);
      out[i] = poisson(noise, rate * countSeconds) / countSeconds;
    } else {
      const rate = base * diurnal(i) * shape[i]! * Math.max(0, 1 + sigma * gauss(noise));
      out[i] = base < 100 ? poisson(noise, rate * countSeconds) / countSeconds : rate;
    }
  }
  return out;
}
