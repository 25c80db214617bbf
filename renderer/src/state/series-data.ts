// Points a chart draws (a live run's curve, or a model card's): kept apart from the live
// series' runes, so that plain code and its tests can build them.

/** x and y of equal length; `length` says how many points there are now. */
export interface SeriesData {
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly length: number;
}
