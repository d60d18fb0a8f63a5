import { CreateCharities1732000000000 } from './1732000000000-create-charities';

export const donationsMigrations = [CreateCharities1732000000000];
