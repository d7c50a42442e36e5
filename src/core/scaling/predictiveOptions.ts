// The options of the predictive policy and the defaults every trace is scored with.

export interface PredictiveWeights {
  /** Cost of one replica for one tick. */
  cost: number;
  /** Cost of one tick over the SLO utilization. */
  slo: number;
}

export interface PredictiveModel {
  /** Smoothing of the level per step (1 = the last value). */
  levelAlpha: number;
  /** Steps in the local linear trend fit; 0 disables the trend. */
  trendWindow: number;
  /**
   * Forecast from the same time one season (a day) earlier, scaled by the ratio of the level now to the
   * level then (both smoothed by `levelAlpha`). Such a model only forecasts once a season of history exists.
   */
  seasonal?: boolean;
}

export interface PredictiveOptions {
  /** Utilization above which a tick violates the SLO. */
  sloUtilization: number;
  weights: PredictiveWeights;
  /** Seconds from creating a pod to it being ready. */
  startupSeconds: number;
  /** Least headroom over the forecast, whatever the error history says. */
  minHeadroom: number;
  /** Robust standard deviations of the error always covered ... */
  coreDeviations: number;
  /** ... unless that needs more headroom over the forecast than this. */
  coreMaxHeadroom: number;
  /** Seconds a higher need of an earlier decision keeps holding replicas. */
  holdSeconds: number;
  models: PredictiveModel[];
  /** How much of the trend is kept per step ahead (1 = undamped). */
  trendDamping: number;
  /** Weight the older errors keep per new one in the variance fit. */
  varianceForgetting: number;
  /** Standardized errors kept per model and horizon for the tail. */
  errorWindow: number;
  /** Smoothing of each model's relative squared error, which selects the model. */
  selectionSmoothing: number;
  /** Quantile of the one-step standardized errors above which a step is a surge (0 = never). */
  surgeQuantile: number;
  /** Longest step, in ticks, that may be inferred. */
  maxStepTicks: number;
  /** Length of the season the seasonal models look back over. */
  seasonSeconds: number;
  /** Half-width of the window around the same time one season earlier whose median a seasonal model uses. */
  seasonalWindowSeconds: number;
}

export const PREDICTIVE_DEFAULTS: PredictiveOptions = {
  sloUtilization: 0.9,
  weights: { cost: 1, slo: 65 },
  startupSeconds: 60,
  minHeadroom: 0.2,
  coreDeviations: 3,
  coreMaxHeadroom: 0.45,
  holdSeconds: 60,
  models: [
    { levelAlpha: 1, trendWindow: 0 },
    { levelAlpha: 0.6, trendWindow: 8 },
    { levelAlpha: 0.3, trendWindow: 16 },
    { levelAlpha: 0.1, trendWindow: 0 },
    { levelAlpha: 0.1, trendWindow: 0, seasonal: true },
  ],
  trendDamping: 0.9,
  varianceForgetting: 0.999,
  errorWindow: 960,
  selectionSmoothing: 0.005,
  surgeQuantile: 0.999,
  maxStepTicks: 240,
  seasonSeconds: 86_400,
  seasonalWindowSeconds: 300,
};
