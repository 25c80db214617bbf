// Paired landmarks: a point on the fixed image and its counterpart on the moving image. A new
// landmark's counterpart is proposed through the shown result (T(x)) when there is one, else
// by the feature match (its attention point or its most similar voxel, as the crosshair follows); the user moves it, accepts it, renames or deletes it. Errors before
// and after registration (landmark-errors.ts) follow the shown result. Landmarks are read
// from and written to Slicer's formats and CSV by the engine, and saved with the workspace.

import type { ContractClient } from '../../../shared/rpc/client';
import type { Landmark, RequestOf } from '../../../shared/contract/index';
import type { Vec3 } from '../viewer/view-types';
import { asVec3 } from '../viewer/vec3';
import type { InspectionPair } from './inspection.svelte';
import { landmarkErrors, type LandmarkItem } from './landmark-errors';
import type { Notifications } from './notifications.svelte';
import type { SaveLocation, SaveLocations } from './save-locations.svelte';

export type { LandmarkItem } from './landmark-errors';

export type LandmarkFormat = RequestOf<'landmarks.write'>['format'];
export type CoordinateSystem = RequestOf<'landmarks.write'>['coordinateSystem'];

export interface LandmarkContext {
  pair: () => InspectionPair | null;
  /** The featurizer a proposal without a result matches with. */
  model: () => string;
  /**
   * Which point of that match is proposed: the one the crosshair follows. The attention's
   * weighted mean is pulled towards the image's middle when the match is diffuse (a large
   * spread), where the most similar voxel is not.
   */
  proposeArgmax: () => boolean;
}

export class Landmarks {
  items = $state.raw<readonly LandmarkItem[]>([]);
  selectedId = $state<number | null>(null);
  /** T(fixed) of each landmark under a result, by id; null without one. */
  mapped = $state.raw<{ readonly jobId: string; readonly points: ReadonlyMap<number, Vec3> } | null>(null);
  readonly errors = $derived(landmarkErrors(this.items, this.mapped?.points ?? null));

  readonly #client: ContractClient;
  readonly #notifications: Notifications;
  readonly #context: LandmarkContext;
  #nextId = 1;
  #mapTicket = 0;

  constructor(client: ContractClient, notifications: Notifications, context: LandmarkContext) {
    this.#client = client;
    this.#notifications = notifications;
    this.#context = context;
  }

  get selected(): LandmarkItem | null {
    return this.items.find((l) => l.id === this.selectedId) ?? null;
  }

  /** A new landmark at a fixed-image point; its counterpart is proposed as soon as it is known. */
  async add(fixed: Vec3): Promise<void> {
    const item: LandmarkItem = { id: this.#nextId++, name: this.#freeName(), fixed, moving: null, accepted: false };
    this.items = [...this.items, item];
    this.selectedId = item.id;
    try {
      const proposal = await this.#propose(fixed);
      // The user may have placed it meanwhile, or deleted the landmark.
      const now = this.items.find((l) => l.id === item.id);
      if (now && now.moving === null) this.#update(item.id, { moving: proposal });
    } catch (error) {
      this.#notifications.error(`No counterpart proposed for ${item.name}: ${(error as Error).message}`);
    }
  }

  placeCounterpart(id: number, moving: Vec3): void {
    this.#update(id, { moving });
  }

  accept(id: number, accepted = true): void {
    this.#update(id, { accepted });
  }

  rename(id: number, name: string): void {
    if (name.trim()) this.#update(id, { name: name.trim() });
  }

  remove(id: number): void {
    this.items = this.items.filter((l) => l.id !== id);
    if (this.selectedId === id) this.selectedId = null;
  }

  /** Replaces every landmark (a workspace opened). */
  replaceAll(landmarks: readonly Landmark[]): void {
    this.items = landmarks.map((l) => this.#fromContract(l));
    this.selectedId = null;
  }

  /** As the contract and files have them: as many coordinates as the fixed image has axes. */
  asContract(): Landmark[] {
    const d = this.#context.pair()?.fixed.info.grid.size.length ?? 3;
    return this.items.map((l) => ({ name: l.name, fixed: l.fixed.slice(0, d), ...(l.moving ? { moving: l.moving.slice(0, d) } : {}), accepted: l.accepted }));
  }

  /** Maps every fixed point through a result (null: none), for the errors after registration. */
  async mapThrough(jobId: string | null): Promise<void> {
    const ticket = ++this.#mapTicket;
    const items = this.items;
    if (!jobId || items.length === 0) {
      this.mapped = null;
      return;
    }
    const d = this.#context.pair()?.fixed.info.grid.size.length ?? 3;
    try {
      const { points } = await this.#client.request('registration.mapPoints', { jobId, points: items.map((l) => l.fixed.slice(0, d)), inverse: false });
      // Replaced whole, never mutated: $state.raw tracks the assignment.
      // eslint-disable-next-line svelte/prefer-svelte-reactivity
      if (ticket === this.#mapTicket) this.mapped = { jobId, points: new Map(items.map((l, i) => [l.id, asVec3(points[i])])) };
    } catch (error) {
      if (ticket === this.#mapTicket) {
        this.mapped = null;
        this.#notifications.error(`Could not map the landmarks through the result: ${(error as Error).message}`);
      }
    }
  }

  /** Adds the landmarks of a file; a file that cannot be read changes nothing. */
  async import(path: string): Promise<void> {
    try {
      const { landmarks, format, coordinateSystem } = await this.#client.request('landmarks.read', { path });
      this.items = [...this.items, ...landmarks.map((l) => this.#fromContract(l))];
      this.#notifications.push('info', `Read ${landmarks.length} landmark${landmarks.length === 1 ? '' : 's'} from ${path} (${format}, ${coordinateSystem})`);
    } catch (error) {
      this.#notifications.error((error as Error).message);
    }
  }

  /** Writes them; resolves to why it could not, or null (also when the user kept an existing file). */
  async export(locations: SaveLocations, location: SaveLocation, format: LandmarkFormat, coordinateSystem: CoordinateSystem): Promise<string | null> {
    try {
      const written = await locations.withConsentToReplace(location, (overwrite) =>
        this.#client.request('landmarks.write', { path: location.path, landmarks: this.asContract(), format, coordinateSystem, overwrite, grant: location.grant }),
      );
      if (written) this.#notifications.push('info', `Wrote ${this.items.length} landmark${this.items.length === 1 ? '' : 's'} to ${written.path}`);
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  }

  async #propose(fixed: Vec3): Promise<Vec3> {
    const pair = this.#context.pair();
    if (!pair) throw new Error('no moving image');
    const d = pair.fixed.info.grid.size.length;
    if (pair.jobId) {
      const { points } = await this.#client.request('registration.mapPoints', { jobId: pair.jobId, points: [fixed.slice(0, d)], inverse: false });
      return asVec3(points[0]);
    }
    const answer = await this.#client.request('inspect.match', {
      queryImageId: pair.fixed.info.id,
      otherImageId: pair.moving.info.id,
      point: fixed.slice(0, d),
      model: this.#context.model(),
      heatmap: false,
    });
    return asVec3(this.#context.proposeArgmax() ? answer.match.argmax : answer.match.attention);
  }

  #fromContract(l: Landmark): LandmarkItem {
    return { id: this.#nextId++, name: l.name, fixed: asVec3(l.fixed), moving: l.moving ? asVec3(l.moving) : null, accepted: l.accepted };
  }

  #update(id: number, patch: Partial<Omit<LandmarkItem, 'id'>>): void {
    this.items = this.items.map((l) => (l.id === id ? { ...l, ...patch } : l));
  }

  #freeName(): string {
    // A local lookup, not state.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const taken = new Set(this.items.map((l) => l.name));
    let n = this.items.length + 1;
    while (taken.has(`L${n}`)) n++;
    return `L${n}`;
  }
}
