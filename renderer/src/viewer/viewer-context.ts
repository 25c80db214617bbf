// The viewer's state is shared with its components through one typed context.

import { createContext } from 'svelte';
import type { ViewerState } from './viewer-state.svelte';

const [getViewerState, setViewerState] = createContext<ViewerState>();

export { getViewerState, setViewerState };
