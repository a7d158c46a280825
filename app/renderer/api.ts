/** The preload's API, typed from the preload itself (never written twice). */
import type { TidingsApi } from '../preload/index.js';

declare global {
  interface Window {
    tidings: TidingsApi;
  }
}

/** The bridge to main. */
export const api: TidingsApi = window.tidings;
