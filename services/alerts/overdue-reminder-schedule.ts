import type { Clock } from '../clock';
import { queueOverdueReminders, type ReminderRun } from '../cluster/overdue-reminders';
import { describeError, type Logger } from '../logger';
import type { Store } from '../store/open-store';

/**
 * Overdue cluster actions, reminded once to their owner's personal chat through the proactive
 * outbox (the same pacer and retry policy as alerts); scheduled beside the alert rules
 * (alert-schedule.ts).
 */

interface OverdueReminderDeps {
  store: Pick<Store, 'db'>;
  clock: Clock;
  logger: Logger;
}

/**
 * Queues reminders for overdue actions now and then every `intervalMs` (each instance may run
 * this: the queueing is once per action); `onQueued` wakes the delivery worker. Returns a stop
 * function. A round that fails is logged and tried again at the next tick.
 */
export function startOverdueReminders(deps: OverdueReminderDeps, onQueued: () => void, intervalMs = 15 * 60_000): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const run: ReminderRun = await queueOverdueReminders(deps.store.db, deps.clock);
      if (run.queued) {
        deps.logger.info('cluster.overdue_reminders', { ...run });
        onQueued();
      }
    } catch (error) {
      deps.logger.warn('cluster.overdue_reminders_failed', describeError(error));
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
