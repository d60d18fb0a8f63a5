import { CreateLedger1732000000000 } from './1732000000000-create-ledger';

export const pointsMigrations = [CreateLedger1732000000000];
