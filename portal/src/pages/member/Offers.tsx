import { useMutation, useQuery } from 'urql';
import { ErrorNotice, Loading, Page, Section, Success } from '../../components/ui';
import { graphql } from '../../gql';
import { useI18n } from '../../i18n';

const MemberOffers = graphql(`
  query PortalMemberOffers {
    me {
      id
      stampCards {
        stamps
        filled
        stampsToReward
        card {
          id
          name
          stampsRequired
          rewardPoints
          partner {
            id
            name
          }
        }
      }
      offerActivations {
        id
        offerId
        usesLeft
        validTo
      }
    }
    offers(first: 50) {
      nodes {
        id
        title
        description
        kind
        multiplier
        points
        validTo
        partner {
          id
          name
        }
      }
    }
  }
`);

const ActivateOffer = graphql(`
  mutation PortalActivateOffer($input: ActivateOfferInput!) {
    activateOffer(input: $input) {
      activation {
        id
        offerId
        usesLeft
        validTo
      }
    }
  }
`);

export function MemberOffersPage() {
  const { t, points, date, number } = useI18n();
  const [{ data, fetching, error }, refetch] = useQuery({ query: MemberOffers });
  const [activation, activate] = useMutation(ActivateOffer);
  const activeIds = new Set(data?.me?.offerActivations.map((a) => a.offerId));
  return (
    <Page title={t('offers.title')}>
      <ErrorNotice error={error} />
      {fetching && !data ? <Loading /> : null}
      {data?.me ? (
        <>
          <Section title={t('stamps.title')} id="stamp-cards">
            {data.me.stampCards.length === 0 ? <p>{t('stamps.none')}</p> : null}
            <ul className="tiles">
              {data.me.stampCards.map((s) => (
                <li key={s.card.id} className="tile">
                  <h3>{s.card.name}</h3>
                  <p className="hint">{s.card.partner.name}</p>
                  <p>
                    <span role="img" aria-label={t('stamps.progress', { stamps: s.stamps, required: s.card.stampsRequired })}>
                      {Array.from({ length: s.card.stampsRequired }, (_, i) => (
                        <span key={i} className={i < s.stamps ? 'stamp filled' : 'stamp'} />
                      ))}
                    </span>
                  </p>
                  <p>{t('stamps.toReward', { count: s.stampsToReward, points: points(s.card.rewardPoints) })}</p>
                  {s.filled > 0 ? <p className="hint">{t('stamps.filled', { count: s.filled })}</p> : null}
                </li>
              ))}
            </ul>
          </Section>
          <Section title={t('offers.available')} id="offers">
            {activation.data ? <Success>{t('offers.activated')}</Success> : null}
            <ErrorNotice error={activation.error} />
            {data.offers.nodes.length === 0 ? <p>{t('offers.none')}</p> : null}
            <ul className="tiles">
              {data.offers.nodes.map((o) => (
                <li key={o.id} className="tile">
                  <h3>{o.title}</h3>
                  <p className="hint">{o.partner.name}</p>
                  {o.description ? <p>{o.description}</p> : null}
                  <p>
                    {o.kind === 'MULTIPLIER' && o.multiplier ? t('offers.multiplier', { multiplier: number(o.multiplier) }) : null}
                    {o.kind === 'BONUS_POINTS' && o.points ? t('offers.bonus', { points: points(o.points) }) : null}
                    {o.kind === 'POINTS_PRICE' && o.points ? t('offers.price', { points: points(o.points) }) : null}
                  </p>
                  {o.validTo ? <p className="hint">{t('offers.validTo', { date: date(o.validTo) })}</p> : null}
                  {activeIds.has(o.id) ? (
                    <p className="badge">{t('offers.isActive')}</p>
                  ) : (
                    <button
                      type="button"
                      disabled={activation.fetching}
                      onClick={() => void activate({ input: { offerId: o.id, idempotencyKey: `portal-activate-${o.id}` } }).then(() => refetch({ requestPolicy: 'network-only' }))}
                    >
                      {t('offers.activate')} <span className="visually-hidden">{o.title}</span>
                    </button>
                  )}
                </li>
              ))}
            </ul>
          </Section>
        </>
      ) : null}
    </Page>
  );
}
