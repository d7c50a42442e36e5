import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capacityPerReplica, oracleTimeline, simulate } from '../../../src/core/scaling/simulator';
import { roundScores, scoreTimeline, type Scores } from '../../../src/core/scaling/scores';
import { HpaPolicy } from '../../../src/core/scaling/hpaPolicy';
import { loadSharedTrace } from './traceFiles';

// The reference table of the benchmark file, reproduced exactly.
const reference: Record<string, Record<'oracle' | 'hpa', Scores>> = {
  worldcup98: {
    oracle: {
      ticks: 11520,
      sloViolationPct: 0.0,
      replicaHours: 236.0,
      costRatio: 1.0,
      scalingActions: 1533,
      thetaU: 0,
      thetaO: 0,
      tauU: 0,
      tauO: 0,
    },
    hpa: {
      ticks: 11520,
      sloViolationPct: 0.026,
      replicaHours: 300.99,
      costRatio: 1.2754,
      scalingActions: 63,
      thetaU: 0.005,
      thetaO: 24.146,
      tauU: 0.026,
      tauO: 64.366,
    },
  },
  'nasa95-jul': {
    oracle: {
      ticks: 178560,
      sloViolationPct: 0.016,
      replicaHours: 5576.6,
      costRatio: 1.0,
      scalingActions: 34509,
      thetaU: 0,
      thetaO: 0,
      tauU: 0,
      tauO: 0,
    },
    hpa: {
      ticks: 178560,
      sloViolationPct: 3.551,
      replicaHours: 9274.46,
      costRatio: 1.6631,
      scalingActions: 9210,
      thetaU: 0.705,
      thetaO: 85.305,
      tauU: 3.538,
      tauO: 86.473,
    },
  },
  'wikipedia-en-4w': {
    oracle: {
      ticks: 161280,
      sloViolationPct: 0.0,
      replicaHours: 11174.37,
      costRatio: 1.0,
      scalingActions: 389,
      thetaU: 0,
      thetaO: 0,
      tauU: 0,
      tauO: 0,
    },
    hpa: {
      ticks: 161280,
      sloViolationPct: 0.0,
      replicaHours: 14142.65,
      costRatio: 1.2656,
      scalingActions: 166,
      thetaU: 0,
      thetaO: 26.935,
      tauU: 0,
      tauO: 99.998,
    },
  },
};

for (const [name, expected] of Object.entries(reference)) {
  const rps = loadSharedTrace(name);
  test(`reference figures: ${name} oracle and hpa`, { skip: rps ? false : 'shared traces not found' }, () => {
    const capacity = capacityPerReplica(rps!);
    const oracle = scoreTimeline(oracleTimeline(rps!, capacity));
    const hpa = scoreTimeline(simulate(rps!, new HpaPolicy(), capacity));
    hpa.costRatio = hpa.replicaHours / oracle.replicaHours;
    assert.deepEqual(roundScores(oracle), expected.oracle);
    assert.deepEqual(roundScores(hpa), expected.hpa);
  });
}
