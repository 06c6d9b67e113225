import type { ApPhase } from '../store/tables/places';

/**
 * Alternative provision places (migration 0012): the values the place columns accept, for checking
 * input. The tables themselves are described in services/store/tables/places.ts.
 */
export const AP_PHASES: readonly ApPhase[] = ['primary', 'secondary', 'all_through'];
