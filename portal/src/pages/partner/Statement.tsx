import { useState } from 'react';
import { useQuery } from 'urql';
import { useAuth } from '../../auth/context';
import { BarChart } from '../../components/BarChart';
import { ErrorNotice, Loading, Page, Section, currentMonth } from '../../components/ui';
import { download } from '../../download';
import { graphql } from '../../gql';
import { useI18n, type MessageKey } from '../../i18n';

const Statement = graphql(`
  query PortalSettlementStatement($partnerId: ID!, $from: String!, $to: String!) {
    settlementStatement(partnerId: $partnerId, from: $from, to: $to) {
      currency
      from
      to
      pointsIssued
      pointsHonoured
      issuedValue {
        amount
        currency
      }
      reimbursementValue {
        amount
        currency
      }
      net {
        amount
        currency
      }
      earned {
        points
        value {
          amount
          currency
        }
      }
      bonuses {
        points
      }
      granted {
        points
      }
      refunded {
        points
      }
      redeemed {
        points
      }
      donated {
        points
      }
      breakage {
        points
      }
      cashedOut {
        points
      }
      byStore {
        earns
        pointsEarned
        purchases {
          amount
          currency
        }
        store {
          id
          name
        }
      }
    }
  }
`);

const LINES = ['earned', 'bonuses', 'granted', 'refunded', 'redeemed', 'donated', 'breakage', 'cashedOut'] as const;

export function PartnerStatementPage() {
  const { t, points, money, date } = useI18n();
  const { session } = useAuth();
  const [period] = useState(currentMonth);
  const [downloadError, setDownloadError] = useState<Error | null>(null);
  const partnerId = session?.id ?? '';
  const [{ data, fetching, error }] = useQuery({ query: Statement, variables: { partnerId, from: period.from, to: period.to }, pause: !partnerId });
  const s = data?.settlementStatement;
  return (
    <Page title={t('statement.title')}>
      <p className="lead">{t('statement.period', { from: date(period.from), to: date(new Date(Date.parse(period.to) - 1).toISOString()) })}</p>
      <ErrorNotice error={error} />
      {fetching && !s ? <Loading /> : null}
      {s ? (
        <>
          <Section title={t('statement.summary')} id="summary">
            <dl className="facts">
              <div>
                <dt>{t('statement.pointsIssued')}</dt>
                <dd data-testid="points-issued">{points(s.pointsIssued)}</dd>
              </div>
              <div>
                <dt>{t('statement.issuedValue')}</dt>
                <dd>{money(s.issuedValue.amount, s.issuedValue.currency)}</dd>
              </div>
              <div>
                <dt>{t('statement.pointsHonoured')}</dt>
                <dd>{points(s.pointsHonoured)}</dd>
              </div>
              <div>
                <dt>{t('statement.reimbursement')}</dt>
                <dd>{money(s.reimbursementValue.amount, s.reimbursementValue.currency)}</dd>
              </div>
              <div>
                <dt>{t('statement.net')}</dt>
                <dd data-testid="net">{money(s.net.amount, s.net.currency)}</dd>
              </div>
            </dl>
            <ErrorNotice error={downloadError} />
            <button
              type="button"
              onClick={() => {
                setDownloadError(null);
                download(`/reports/settlement.csv?partnerId=${encodeURIComponent(partnerId)}&month=${period.month}`, session?.token ?? '', `settlement-${period.month}.csv`).catch((e: Error) =>
                  setDownloadError(e),
                );
              }}
            >
              {t('statement.csv')}
            </button>
          </Section>
          <Section title={t('statement.chart')} id="chart">
            <BarChart
              testId="statement-chart"
              title={t('statement.chartTitle')}
              bars={LINES.map((line) => ({ label: t(`statement.line.${line}` as MessageKey), value: Number(s[line].points), display: points(s[line].points) }))}
            />
          </Section>
          {s.byStore.length > 0 ? (
            <Section title={t('statement.byStore')} id="by-store">
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('partner.store')}</th>
                      <th scope="col" className="num">
                        {t('statement.earns')}
                      </th>
                      <th scope="col" className="num">
                        {t('partner.purchase')}
                      </th>
                      <th scope="col" className="num">
                        {t('common.points')}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {s.byStore.map((row) => (
                      <tr key={row.store.id}>
                        <td>{row.store.name}</td>
                        <td className="num">{row.earns}</td>
                        <td className="num">{money(row.purchases.amount, row.purchases.currency)}</td>
                        <td className="num">{points(row.pointsEarned)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </Section>
          ) : null}
        </>
      ) : null}
    </Page>
  );
}
