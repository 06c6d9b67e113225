import type { ConversationType, Role, StaffUser } from '../store/database';
import type { Scope } from './scope';

/**
 * Who is asking, decided once per turn: the staff user, their role and scope, and where they are
 * asking from (group chats and channels see minimised pupil details).
 */
export interface Actor {
  user: StaffUser;
  role: Role;
  scope: Scope;
  aadObjectId: string | null;
  conversationType: ConversationType;
  /** Which channel the turn came through; absent means Teams. Audit rows name it. */
  channel?: 'teams' | 'slack';
}

export const ROLE_LABELS: Record<Role, string> = {
  la_manager: 'LA manager',
  attendance_officer: 'Attendance officer',
  school_leader: 'School leader',
  cluster_member: 'Cluster member',
  admin: 'Administrator',
  youth_justice_worker: 'Youth justice worker',
};

/** Full pupil names only in personal chat; elsewhere initials, year and school. */
export function mayShowNames(actor: Actor): boolean {
  return actor.conversationType === 'personal';
}
