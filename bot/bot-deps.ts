import type { Application, TurnState } from '@microsoft/teams-ai';
import type { SchoolCalendar } from '../services/calendar/school-calendar';
import type { Clock } from '../services/clock';
import type { LadderService } from '../services/ladder/ladder-service';
import type { Logger } from '../services/logger';
import type { Store } from '../services/store/open-store';
import type { IdentityCacheLimits } from './identity-step';
import type { ModelSettings } from '../services/assistant/model-planner';
import type { ConcurrencyGate } from '../services/util/concurrency-gate';

/** What route handlers may use. Features add their services here, built once at start. */
export interface BotDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** The ladder toolkit, loaded and checked at start; the default toolkit (data/ladder) when absent. */
  ladder?: LadderService;
  /** The school-day calendar (CALENDAR_FILE); the shipped sample when absent. */
  calendar?: SchoolCalendar;
  /** ALERT_CARDS_PER_DAY (alert cases pushed to one person a day; the rest fold into a summary). */
  alertCardsPerDay?: number;
  /** Pupils on a cluster meeting's agenda (CLUSTER_AGENDA_SIZE); 30 when absent. */
  clusterAgendaSize?: number;
  /** Base of links to this server's own pages (PUBLIC_URL), e.g. export downloads; none: exports are off. */
  publicUrl?: string;
  /** IDENTITY_CACHE_SECONDS / IDENTITY_CACHE_USERS; the configuration's defaults when absent. */
  identityCache?: IdentityCacheLimits;
  /** How long a turn waits for Teams' roster when looking up a new user; 2 s when absent (tests pass less). */
  rosterTimeoutMs?: number;
  /** SAFEGUARDING_CONTACT: the authority's contact given with the safeguarding lead route. */
  safeguardingContact?: string;
  /** OPENAI_*: the language model for plain language; none: the local router alone. */
  assistantModel?: ModelSettings;
  /** Bounds the turns reading pupil-level row sets at once (HEAVY_READS_AT_ONCE); unbounded when absent. */
  heavyReads?: ConcurrencyGate;
}

/** Runs a read that loads many pupil-level rows within deps.heavyReads, if there is one. */
export function heavyRead<T>(deps: BotDeps, read: () => Promise<T>): Promise<T> {
  return deps.heavyReads ? deps.heavyReads.run(read) : read();
}

export type BotApp = Application<TurnState>;
