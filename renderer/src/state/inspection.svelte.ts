// Inspect mode: what a point of one image of the registration pair matches in the other,
// asked of the engine as the pointer moves (inspect.match, with the similarity heatmap), both
// ways: a point of the fixed image is matched in the moving one and vice versa. At most one
// request is in flight; while it runs only the latest point waits (see latest-only.ts), so a
// slow engine (a registration running beside) never builds a backlog and the view never waits.

import type { ContractClient } from '../../../shared/rpc/client';
import type { Vec3 } from '../viewer/view-types';
import type { HeatmapScale } from '../viewer/colormaps';
import { asVec3 } from '../viewer/vec3';
import { voxelAt } from '../viewer/grid-view';
import type { LibraryImage } from './image-library.svelte';
import { LatestOnly } from './latest-only';
import type { Follow, HeatColormap, InspectAnswer, InspectQuery, MatchResult, Side } from './inspection-types';

export { otherSide } from './inspection-types';
export type { Follow, HeatColormap, InspectAnswer, InspectQuery, MatchPoints, MatchResult, Side } from './inspection-types';

/** The featurizers that need no model. */
export const TRAINING_FREE_FEATURIZERS = ['mind-ssc', 'intensity'] as const;

export interface InspectionPair {
  readonly fixed: LibraryImage;
  readonly moving: LibraryImage;
  /** A registration result relating the two (the shown one): T(x) and its round trip. */
  readonly jobId: string | null;
}

export class Inspection {
  active = $state(false);
  model = $state<string>('mind-ssc');
  featurizers = $state.raw<readonly string[]>(TRAINING_FREE_FEATURIZERS);
  follow = $state<Follow>('attention');
  heatmapOpacity = $state(0.7);
  colormap = $state<HeatColormap>('hot');
  heatmapScale = $state<HeatmapScale>('log');
  /** The point asked about last: under the pointer, or pinned by a click. */
  query = $state.raw<InspectQuery | null>(null);
  answer = $state.raw<InspectAnswer | null>(null);
  /** A request is in flight. */
  waiting = $state(false);
  problem = $state<string | null>(null);

  readonly #client: ContractClient;
  readonly #pair: () => InspectionPair | null;
  readonly #requests: LatestOnly<InspectQuery, MatchResult>;
  #generation = 0;

  constructor(client: ContractClient, pair: () => InspectionPair | null) {
    this.#client = client;
    this.#pair = pair;
    this.#requests = new LatestOnly(
      (q) => this.#ask(q),
      (q, result) => this.#take(q, result),
      (q, error) => this.#failed(q, error),
    );
  }

  get pinned(): boolean {
    return this.query?.pinned ?? false;
  }

  toggle(): void {
    this.active = !this.active;
  }

  /**
   * The pointer is over `point` of one image (null: it left the views). A pin holds still, and
   * the background around an image asks nothing: the last answer stays.
   */
  hover(side: Side, point: Vec3 | null): void {
    const image = this.#pair()?.[side];
    if (point && image && !this.pinned && voxelAt(image.info.grid, point)) this.#submit(side, point, false);
  }

  pin(side: Side, point: Vec3): void {
    this.#submit(side, point, true);
  }

  unpin(): void {
    if (this.query) this.query = { ...this.query, pinned: false };
  }

  setModel(model: string): void {
    this.model = model;
    this.restart();
  }

  /** The pair, its result or the featurizer changed: what was answered no longer holds. */
  restart(): void {
    this.#generation++;
    this.#requests.dropWaiting();
    this.answer = null;
    this.problem = null;
    if (this.query) this.#submit(this.query.side, this.query.point, this.query.pinned);
  }

  /** The featurizers for images of this dimension: the training-free ones, then the models. */
  async loadFeaturizers(dimension: number): Promise<void> {
    try {
      const { models } = await this.#client.request('models.list', {});
      this.featurizers = [...TRAINING_FREE_FEATURIZERS, ...models.filter((m) => m.dimension === dimension).map((m) => m.name)];
    } catch {
      // The training-free ones still work.
    }
  }

  #submit(side: Side, point: Vec3, pinned: boolean): void {
    const query: InspectQuery = { side, point, pinned, at: performance.now(), generation: this.#generation };
    this.query = query;
    this.#requests.submit(query);
    this.waiting = this.#requests.busy;
  }

  #ask(q: InspectQuery): Promise<MatchResult> {
    const pair = this.#pair();
    if (!pair) return Promise.reject(new Error('Inspecting needs a fixed and a moving image.'));
    const [query, other] = q.side === 'fixed' ? [pair.fixed, pair.moving] : [pair.moving, pair.fixed];
    return this.#client.request('inspect.match', {
      queryImageId: query.info.id,
      otherImageId: other.info.id,
      point: q.point.slice(0, query.info.grid.size.length),
      model: this.model,
      jobId: pair.jobId ?? undefined,
      heatmap: true,
    });
  }

  #take(q: InspectQuery, result: MatchResult): void {
    this.waiting = this.#requests.busy;
    if (q.generation !== this.#generation) return;
    this.problem = null;
    this.answer = {
      query: q,
      result,
      heatmap: result.heatmap ? { grid: result.heatmap.grid, pixels: result.heatmap.values } : null,
      points: {
        query: asVec3(result.point),
        attention: asVec3(result.match.attention),
        argmax: asVec3(result.match.argmax),
        mapped: result.registration ? asVec3(result.registration.mapped) : null,
      },
    };
  }

  #failed(q: InspectQuery, error: unknown): void {
    this.waiting = this.#requests.busy;
    if (q.generation === this.#generation) this.problem = (error as Error).message;
  }
}

/** The point the other image's crosshair follows, if any. */
export function followedPoint(answer: InspectAnswer | null, follow: Follow): Vec3 | null {
  if (!answer || follow === 'none') return null;
  const p = answer.points;
  if (follow === 'argmax') return p.argmax;
  if (follow === 'registration') return p.mapped ?? p.attention;
  return p.attention;
}
