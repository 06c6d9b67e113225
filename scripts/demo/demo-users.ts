import type { Role } from '../../services/store/database';

/**
 * The demo county's staff users: the Microsoft 365 Agents Playground's five mock users (names,
 * emails and AAD object ids as the Playground 0.2.x ships them), so `npm run dev` works at once.
 */
export interface DemoUser {
  aadObjectId: string;
  name: string;
  email: string;
  role: Role;
  /** Stored scope text: `county`, `district:<name>` or `school:<urn>`. */
  scope: string;
}

/**
 * The URN the generator always gives the first secondary school in Boston, so the school leader's
 * scope is the same for every seed and pupil count.
 */
export const DEMO_SCHOOL_LEADER_URN = 136270;

export const DEMO_USERS: readonly DemoUser[] = Object.freeze([
  {
    aadObjectId: '00000000-0000-0000-0000-0000000000020',
    name: 'Alex Wilber',
    email: 'alexw@example.com',
    role: 'la_manager',
    scope: 'county',
  },
  {
    aadObjectId: '00000000-0000-0000-0000-0000000000021',
    name: 'Megan Bowen',
    email: 'meganb@example.com',
    role: 'attendance_officer',
    scope: 'district:Boston',
  },
  {
    aadObjectId: '00000000-0000-0000-0000-0000000000022',
    name: 'Adele Vance',
    email: 'adelev@example.com',
    role: 'school_leader',
    scope: `school:${DEMO_SCHOOL_LEADER_URN}`,
  },
  {
    aadObjectId: '00000000-0000-0000-0000-0000000000023',
    name: 'Isaiah Langer',
    // The Playground gives this user two spellings (UPN isaiah@, email isaiahl@); the roster's email is isaiahl@.
    email: 'isaiahl@example.com',
    role: 'cluster_member',
    scope: 'district:Lincoln',
  },
  {
    aadObjectId: '00000000-0000-0000-0000-0000000000024',
    name: 'Patti Fernandez',
    email: 'pattif@example.com',
    role: 'admin',
    scope: 'county',
  },
] satisfies DemoUser[]);
