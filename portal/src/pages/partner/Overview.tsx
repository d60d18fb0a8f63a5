import { useQuery } from 'urql';
import { ErrorNotice, Loading, Page, Section } from '../../components/ui';
import { graphql } from '../../gql';
import { useI18n, type MessageKey } from '../../i18n';

const Overview = graphql(`
  query PortalPartnerOverview {
    viewerPartner {
      id
      name
      currency
      status
      terms {
        earnRate
        issuePrice {
          amount
          currency
        }
        reimbursement {
          amount
          currency
        }
        validFrom
      }
      transactions(first: 25) {
        nodes {
          id
          kind
          points
          createdAt
          reference
          purchase {
            amount
            currency
          }
          store {
            id
            name
          }
        }
      }
      stores(first: 50, includeInactive: true) {
        nodes {
          id
          code
          name
          city
          country
          active
        }
      }
    }
  }
`);

export function PartnerOverviewPage() {
  const { t, points, dateTime, money, number } = useI18n();
  const [{ data, fetching, error }] = useQuery({ query: Overview });
  const partner = data?.viewerPartner;
  return (
    <Page title={partner?.name ?? t('nav.partner')}>
      <ErrorNotice error={error} />
      {fetching && !partner ? <Loading /> : null}
      {partner ? (
        <>
          <Section title={t('partner.terms')} id="terms">
            <dl className="facts">
              <div>
                <dt>{t('partner.status')}</dt>
                <dd>{t(`status.${partner.status}` as MessageKey)}</dd>
              </div>
              {partner.terms ? (
                <>
                  <div>
                    <dt>{t('partner.earnRate')}</dt>
                    <dd>{t('partner.earnRateValue', { rate: number(partner.terms.earnRate), currency: partner.currency })}</dd>
                  </div>
                  <div>
                    <dt>{t('partner.issuePrice')}</dt>
                    <dd>{money(partner.terms.issuePrice.amount, partner.terms.issuePrice.currency)}</dd>
                  </div>
                  <div>
                    <dt>{t('partner.reimbursement')}</dt>
                    <dd>{money(partner.terms.reimbursement.amount, partner.terms.reimbursement.currency)}</dd>
                  </div>
                </>
              ) : null}
            </dl>
          </Section>
          <Section title={t('partner.transactions')} id="transactions">
            <div className="table-wrap">
              <table data-testid="partner-transactions">
                <thead>
                  <tr>
                    <th scope="col">{t('common.date')}</th>
                    <th scope="col">{t('partner.kind')}</th>
                    <th scope="col">{t('partner.reference')}</th>
                    <th scope="col">{t('partner.store')}</th>
                    <th scope="col" className="num">
                      {t('partner.purchase')}
                    </th>
                    <th scope="col" className="num">
                      {t('common.points')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {(partner.transactions?.nodes ?? []).map((tx) => (
                    <tr key={tx.id}>
                      <td>{dateTime(tx.createdAt)}</td>
                      <td>{t(`kind.${tx.kind}` as MessageKey)}</td>
                      <td>{tx.reference}</td>
                      <td>{tx.store?.name ?? ''}</td>
                      <td className="num">{tx.purchase ? money(tx.purchase.amount, tx.purchase.currency) : ''}</td>
                      <td className="num">{points(tx.points)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Section>
          <Section title={t('partner.stores')} id="stores">
            {(partner.stores?.nodes.length ?? 0) === 0 ? <p>{t('partner.noStores')}</p> : null}
            <ul className="plain">
              {(partner.stores?.nodes ?? []).map((s) => (
                <li key={s.id}>
                  <strong>{s.name}</strong> ({s.code}) · {[s.city, s.country].filter(Boolean).join(', ')} · {s.active ? t('partner.open') : t('partner.closed')}
                </li>
              ))}
            </ul>
          </Section>
        </>
      ) : null}
    </Page>
  );
}
