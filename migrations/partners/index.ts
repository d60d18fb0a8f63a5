import { CreatePartners1732000000000 } from './1732000000000-create-partners';

export const partnersMigrations = [CreatePartners1732000000000];
