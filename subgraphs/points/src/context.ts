import type DataLoader from 'dataloader';
import { type BaseSubgraphContext } from '../../../lib/src';
import { type MemberDataErasure, type MemberDataExport } from '../../../lib/src/member-data';
import { type Award } from './domain/award.rules';
import { type Basket } from './persistence/baskets.repository';
import { type AccountEntity } from './persistence/ledger.entity';
import { type DonationPostingService } from './services/donation-posting.service';
import { type MemberClosingService } from './services/member-closing.service';
import { type MemberMergeService } from './services/member-merge.service';
import { type EconomicsService } from './services/economics.service';
import { type FundingService } from './services/funding.service';
import { type GrantService } from './services/grant.service';
import { type CashoutService } from './services/cashout.service';
import { type BonusService } from './services/bonus.service';
import { type MembershipService, type MembershipView } from './services/membership.service';
import { type PlanRow } from './persistence/memberships.repository';
import { type RegistrationService } from './services/registration.service';
import { type GameService } from './services/game.service';
import { type HouseholdService } from './services/household.service';
import { type IntegrityService } from './services/integrity.service';
import { type KpisService } from './services/kpis.service';
import { type PointsService } from './services/points.service';
import { type OfferActivationService } from './services/offer-activation.service';
import { type SegmentService } from './services/segment.service';
import { type StampCardService } from './services/stamp-card.service';
import { type ProgrammeService } from './services/programme.service';
import { type RedemptionService } from './services/redemption.service';
import { type ReversalService } from './services/reversal.service';
import { type WebhookDeliveryService, type WebhooksService } from './services/webhooks.service';
import { type LiveEventsService } from './services/live-events.service';

export interface PointsContext extends BaseSubgraphContext {
  /** This subgraph's section of a member's data export (GET /members/{id}/export.json). */
  memberExport: MemberDataExport;
  /** This subgraph's part of erasing a member (the internal <subgraph>EraseMember). */
  memberErasure: MemberDataErasure;
  points: PointsService;
  offerActivations: OfferActivationService;
  /** Segments (createSegment, size, membership for personal offers). */
  segments: SegmentService;
  stampCards: StampCardService;
  redemptions: RedemptionService;
  reversals: ReversalService;
  programme: ProgrammeService;
  integrity: IntegrityService;
  donationPostings: DonationPostingService;
  memberClosings: MemberClosingService;
  memberMerges: MemberMergeService;
  economics: EconomicsService;
  /** Programme KPIs (programmeKpis). */
  kpis: KpisService;
  funding: FundingService;
  grants: GrantService;
  cashouts: CashoutService;
  /** Welcome, referral and birthday bonuses (the sweeper pays them; the admin sets welcome rules). */
  bonuses: BonusService;
  /** Paid memberships: plans, sales, cancellation; the sweeper's status and monthly bonus rounds. */
  memberships: MembershipService;
  /** Members registered by the members subgraph (internal registerMembers). */
  registrations: RegistrationService;
  /** Provably fair games (createGame, nextGamePlay, playGame, verifyGamePlay). */
  games: GameService;
  /** Households: invitations, membership and transfers between members (issue 18). */
  households: HouseholdService;
  webhooks: WebhooksService;
  /** The webhook delivery rounds (tests drive them directly). */
  webhookDelivery: WebhookDeliveryService;
  /** Live updates: the accountEvents and partnerEvents subscriptions, fed by the outbox's hub_events notices. */
  liveEvents: LiveEventsService;
  loaders: {
    account: DataLoader<string, AccountEntity | null>;
    /** Issuers whose lots each transaction drew on (economics). */
    provenance: DataLoader<string, { partnerId: string; points: bigint }[]>;
    /** Why each transaction gave its points (transaction_awards). */
    awards: DataLoader<string, Award[]>;
    /** The store and lines of each earn that carried them (earn_baskets). */
    basket: DataLoader<string, Basket | null>;
    /** Members' paid memberships as the viewer may see them. */
    membership: DataLoader<string, MembershipView | null>;
    /** Membership plans by id. */
    plan: DataLoader<string, PlanRow | null>;
    /** The POINTS_PRICE offer each redemption paid for, if any (offer_redemptions). */
    redeemedOffer: DataLoader<string, string | null>;
  };
}
