import type { BaseDeps } from './deps.js';

/** Services of the feature modules, built on the base dependencies. Each feature adds its own here. */
export interface FeatureDeps {}

export function createFeatureDeps(_base: BaseDeps): FeatureDeps {
  return {};
}
