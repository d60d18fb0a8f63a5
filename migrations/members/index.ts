import { CreateMembers1732000000000 } from './1732000000000-create-members';

/** Listed explicitly: globs would load .ts files under vitest. */
export const membersMigrations = [CreateMembers1732000000000];
