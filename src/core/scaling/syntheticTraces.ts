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
export const SYNTHETIC_SHAPES: readonly SyntheticShape[] = ['diurnal', 'stepSurge', 'slowRamp', 'noisyLowRate', 'nearZero', 'flashCrowds', 'sawtooth'];

/** Every shape, for comparing policies beyond the shared traces (the last four are never trained on). */
export const EVALUATION_SHAPES: readonly SyntheticShape[] = [...SYNTHETIC_SHAPES, 'burstyPoisson', 'weekly', 'slowDrift', 'stepDown'];

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
        const drift = 1 + 0.8 * Math.sin((2 * Math.PI * i) / (TICKS_PER_DAY * 5)) + 0.4 * Math.sin((2 * Math.PI * i) / 1700);
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
