import { useQuery } from 'urql';
import { ErrorNotice, Loading, Page, Section } from '../../components/ui';
import { graphql } from '../../gql';
import { useI18n } from '../../i18n';

const Webhooks = graphql(`
  query PortalWebhooks {
    webhookEndpoints {
      id
      url
      status
      events
      consecutiveFailures
      disabledReason
      createdAt
      deliveries(first: 15) {
        id
        eventType
        status
        attempts
        lastStatusCode
        lastError
        createdAt
        deliveredAt
        nextAttemptAt
      }
    }
  }
`);

export function PartnerWebhooksPage() {
  const { t, dateTime } = useI18n();
  const [{ data, fetching, error }] = useQuery({ query: Webhooks });
  return (
    <Page title={t('webhooks.title')}>
      <p className="lead">{t('webhooks.intro')}</p>
      <ErrorNotice error={error} />
      {fetching && !data ? <Loading /> : null}
      {data?.webhookEndpoints.length === 0 ? <p className="card">{t('webhooks.none')}</p> : null}
      {data?.webhookEndpoints.map((endpoint) => (
        <Section key={endpoint.id} title={endpoint.url} id={`endpoint-${endpoint.id}`}>
          <p>
            {t('webhooks.status', { status: endpoint.status, failures: endpoint.consecutiveFailures })}
            {endpoint.disabledReason ? ` · ${endpoint.disabledReason}` : ''}
          </p>
          <p className="hint">{t('webhooks.events', { events: endpoint.events.join(', ') })}</p>
          {endpoint.deliveries.length === 0 ? (
            <p>{t('webhooks.noDeliveries')}</p>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="visually-hidden">{t('webhooks.log')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('common.date')}</th>
                    <th scope="col">{t('webhooks.event')}</th>
                    <th scope="col">{t('webhooks.deliveryStatus')}</th>
                    <th scope="col" className="num">
                      {t('webhooks.attempts')}
                    </th>
                    <th scope="col">{t('webhooks.answer')}</th>
                  </tr>
                </thead>
                <tbody>
                  {endpoint.deliveries.map((d) => (
                    <tr key={d.id}>
                      <td>{dateTime(d.createdAt)}</td>
                      <td>{d.eventType}</td>
                      <td>{d.status}</td>
                      <td className="num">{d.attempts}</td>
                      <td>{d.lastStatusCode ?? d.lastError ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Section>
      ))}
    </Page>
  );
}
