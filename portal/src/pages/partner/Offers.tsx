import { useQuery } from 'urql';
import { useAuth } from '../../auth/context';
import { ErrorNotice, Loading, Page, Section } from '../../components/ui';
import { graphql } from '../../gql';
import { useI18n, type MessageKey } from '../../i18n';

const PartnerOffers = graphql(`
  query PortalPartnerOffers($partnerId: ID!) {
    offers(first: 50, partnerId: $partnerId, includeInactive: true) {
      nodes {
        id
        title
        kind
        multiplier
        points
        active
        validFrom
        validTo
        usesPerMember
      }
    }
    stampCards {
      id
      name
      stampsRequired
      rewardPoints
      category
      sku
      startsAt
      endsAt
      partner {
        id
      }
    }
    campaigns {
      id
      name
      multiplier
      bonusPoints
      startsAt
      endsAt
      partnerId
    }
  }
`);

export function PartnerOffersPage() {
  const { t, points, date, number } = useI18n();
  const { session } = useAuth();
  const [{ data, fetching, error }] = useQuery({ query: PartnerOffers, variables: { partnerId: session?.id ?? '' }, pause: !session?.id });
  return (
    <Page title={t('partnerOffers.title')}>
      <ErrorNotice error={error} />
      {fetching && !data ? <Loading /> : null}
      {data ? (
        <>
          <Section title={t('offers.available')} id="offers">
            {data.offers.nodes.length === 0 ? <p>{t('offers.none')}</p> : null}
            <ul className="plain">
              {data.offers.nodes.map((o) => (
                <li key={o.id}>
                  <strong>{o.title}</strong> · {t(`offerKind.${o.kind}` as MessageKey)}
                  {o.multiplier ? ` ×${number(o.multiplier)}` : ''}
                  {o.points ? ` · ${points(o.points)} ${t('common.points')}` : ''} · {o.active ? t('partner.activeOffer') : t('partner.retiredOffer')} ·{' '}
                  {t('partner.from', { date: date(o.validFrom) })}
                  {o.validTo ? ` – ${date(o.validTo)}` : ''}
                </li>
              ))}
            </ul>
          </Section>
          <Section title={t('stamps.title')} id="stamp-cards">
            {data.stampCards.length === 0 ? <p>{t('stamps.none')}</p> : null}
            <ul className="plain">
              {data.stampCards.map((c) => (
                <li key={c.id}>
                  <strong>{c.name}</strong> · {t('partner.stampRule', { stamps: c.stampsRequired, points: points(c.rewardPoints) })}
                  {c.category ? ` · ${c.category}` : ''}
                  {c.sku ? ` · ${c.sku}` : ''}
                </li>
              ))}
            </ul>
          </Section>
          <Section title={t('partner.campaigns')} id="campaigns">
            {data.campaigns.length === 0 ? <p>{t('partner.noCampaigns')}</p> : null}
            <ul className="plain">
              {data.campaigns.map((c) => (
                <li key={c.id}>
                  <strong>{c.name}</strong> · ×{number(c.multiplier)}
                  {c.bonusPoints ? ` +${points(c.bonusPoints)}` : ''} · {date(c.startsAt)} – {date(c.endsAt)}
                  {c.partnerId ? '' : ` · ${t('partner.coalitionWide')}`}
                </li>
              ))}
            </ul>
          </Section>
        </>
      ) : null}
    </Page>
  );
}
