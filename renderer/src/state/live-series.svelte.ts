// A curve that grows while a job runs, for a live chart. Points are appended in place and
// `length` is the one reactive value: copying the arrays at every step would cost O(n²) over
// a run of many thousand steps, and a chart only needs to know that there is more to draw.

import type { SeriesData } from './series-data';

export class LiveSeries implements SeriesData {
  readonly x: number[] = [];
  readonly y: number[] = [];
  length = $state(0);

  push(x: number, y: number): void {
    this.x.push(x);
    this.y.push(y);
    this.length = this.x.length;
  }

  clear(): void {
    this.x.length = 0;
    this.y.length = 0;
    this.length = 0;
  }

  get lastX(): number | undefined {
    return this.x.at(-1);
  }
}
