// Typed context helpers: components reach the app's state objects without prop drilling.

import { getContext, setContext } from 'svelte';
import type { EngineConnection } from './engine-connection.svelte';
import type { ImageLibrary } from './image-library.svelte';
import type { ModelRegistry } from './model-registry.svelte';
import type { Notifications } from './notifications.svelte';
import type { Training } from './training.svelte';
import type { Workstation } from './workstation.svelte';

export interface AppState {
  engine: EngineConnection;
  library: ImageLibrary;
  notifications: Notifications;
  workstation: Workstation;
  models: ModelRegistry;
  training: Training;
}

const key = Symbol('ximorph-app');

export function provideAppState(state: AppState): void {
  setContext(key, state);
}

export function useAppState(): AppState {
  const state = getContext<AppState | undefined>(key);
  if (!state) throw new Error('useAppState() outside the app');
  return state;
}
