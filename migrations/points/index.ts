import { CreateLedger1732000000000 } from './1732000000000-create-ledger';
import { LotsHoldsTiers1732100000000 } from './1732100000000-lots-holds-tiers';
import { PointsAuditLog1733100000000 } from './1733100000000-audit-log';
import { Economics1734000000000 } from './1734000000000-economics';
import { DonationPostingsEarnOutbox1735000000000 } from './1735000000000-donation-postings-earn-outbox';
import { EarnOutboxVacuum1736000000000 } from './1736000000000-earn-outbox-vacuum';
import { PartnerPostingsOwnTransactions1737000000000 } from './1737000000000-partner-postings-own-transactions';
import { RedemptionCodeFailures1738100000000 } from './1738100000000-redemption-code-failures';
import { MemberClosing1739500000000 } from './1739500000000-member-closing';
import { IssuersGrantsCashouts1739400000000 } from './1739400000000-issuers-grants-cashouts';
import { Grants1739410000000 } from './1739410000000-grants';
import { Cashouts1739420000000 } from './1739420000000-cashouts';
import { TransactionAwards1739300000000 } from './1739300000000-transaction-awards';
import { EarnBaskets1739310000000 } from './1739310000000-earn-baskets';
import { OfferActivations1739320000000 } from './1739320000000-offer-activations';
import { StampCards1739330000000 } from './1739330000000-stamp-cards';
import { EventOutboxWebhooks1740200000000 } from './1740200000000-event-outbox-webhooks';

export const pointsMigrations = [CreateLedger1732000000000, LotsHoldsTiers1732100000000, PointsAuditLog1733100000000, Economics1734000000000, DonationPostingsEarnOutbox1735000000000, EarnOutboxVacuum1736000000000, PartnerPostingsOwnTransactions1737000000000, RedemptionCodeFailures1738100000000, TransactionAwards1739300000000, EarnBaskets1739310000000, OfferActivations1739320000000, StampCards1739330000000, IssuersGrantsCashouts1739400000000, Grants1739410000000, Cashouts1739420000000, MemberClosing1739500000000, EventOutboxWebhooks1740200000000];
