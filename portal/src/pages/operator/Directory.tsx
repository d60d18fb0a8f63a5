import { useQuery } from 'urql';
import { ErrorNotice, Loading, Page, Section } from '../../components/ui';
import { graphql } from '../../gql';
import { useI18n, type MessageKey } from '../../i18n';

const Directory = graphql(`
  query PortalDirectory {
    partners(first: 100) {
      nodes {
        id
        name
        currency
        status
        createdAt
      }
    }
    charities(first: 100) {
      nodes {
        id
        name
        status
        verification
        receivesGifts
      }
    }
  }
`);

export function OperatorDirectoryPage() {
  const { t, date } = useI18n();
  const [{ data, fetching, error }] = useQuery({ query: Directory });
  return (
    <Page title={t('directory.title')}>
      <ErrorNotice error={error} />
      {fetching && !data ? <Loading /> : null}
      {data ? (
        <>
          <Section title={t('directory.partners')} id="partners">
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('directory.name')}</th>
                    <th scope="col">{t('kpis.currency')}</th>
                    <th scope="col">{t('partner.status')}</th>
                    <th scope="col">{t('directory.since')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.partners.nodes.map((p) => (
                    <tr key={p.id}>
                      <td>{p.name}</td>
                      <td>{p.currency}</td>
                      <td>{t(`status.${p.status}` as MessageKey)}</td>
                      <td>{date(p.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Section>
          <Section title={t('directory.charities')} id="charities">
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('directory.name')}</th>
                    <th scope="col">{t('partner.status')}</th>
                    <th scope="col">{t('directory.verification')}</th>
                    <th scope="col">{t('directory.receivesGifts')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.charities.nodes.map((c) => (
                    <tr key={c.id}>
                      <td>{c.name}</td>
                      <td>{t(`status.${c.status}` as MessageKey)}</td>
                      <td>{t(`verification.${c.verification}` as MessageKey)}</td>
                      <td>{c.receivesGifts ? t('common.yes') : t('common.no')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Section>
        </>
      ) : null}
    </Page>
  );
}
