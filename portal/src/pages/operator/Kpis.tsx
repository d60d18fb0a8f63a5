import { useState } from 'react';
import { useQuery } from 'urql';
import { BarChart } from '../../components/BarChart';
import { ErrorNotice, Loading, Page, Section, recentPeriod } from '../../components/ui';
import { graphql } from '../../gql';
import { useI18n } from '../../i18n';

const Kpis = graphql(`
  query PortalProgrammeKpis($from: String!, $to: String!) {
    programmeKpis(from: $from, to: $to) {
      id
      newMembers
      activeMembers
      closedMembers
      pointsEarned
      pointsBurned
      pointsExpired
      liabilityPoints
      breakageRate
      redemptionRate
      donatedPoints
      donations
      byMonth {
        id
        from
        newMembers
        activeMembers
        pointsEarned
        pointsBurned
        pointsExpired
        liabilityPoints
        breakageRate
        donatedPoints
      }
    }
    coalitionSettlement(from: $from, to: $to) {
      totals {
        currency
        pointsIssued
        pointsHonoured
        net {
          amount
          currency
        }
      }
    }
  }
`);

export function OperatorKpisPage() {
  const i18n = useI18n();
  const { t, points, month, percent, money } = i18n;
  const [period] = useState(() => recentPeriod(6));
  const [{ data, fetching, error }] = useQuery({ query: Kpis, variables: period });
  const k = data?.programmeKpis;
  const months = k?.byMonth ?? [];
  const series = (pick: (m: (typeof months)[number]) => number, show: (n: number) => string = points) =>
    months.map((m) => ({ label: month(m.from), value: pick(m), display: show(pick(m)) }));
  return (
    <Page title={t('kpis.title')}>
      <p className="lead">{t('kpis.intro')}</p>
      <ErrorNotice error={error} />
      {fetching && !k ? <Loading /> : null}
      {k ? (
        <>
          <Section title={t('kpis.summary')} id="summary">
            <dl className="facts" data-testid="kpi-summary">
              <div>
                <dt>{t('kpis.newMembers')}</dt>
                <dd>{points(k.newMembers)}</dd>
              </div>
              <div>
                <dt>{t('kpis.activeMembers')}</dt>
                <dd>{points(k.activeMembers)}</dd>
              </div>
              <div>
                <dt>{t('kpis.earned')}</dt>
                <dd data-testid="kpi-earned">{points(k.pointsEarned)}</dd>
              </div>
              <div>
                <dt>{t('kpis.burned')}</dt>
                <dd>{points(k.pointsBurned)}</dd>
              </div>
              <div>
                <dt>{t('kpis.liability')}</dt>
                <dd>{points(k.liabilityPoints)}</dd>
              </div>
              <div>
                <dt>{t('kpis.breakage')}</dt>
                <dd>{percent(k.breakageRate)}</dd>
              </div>
              <div>
                <dt>{t('kpis.redemption')}</dt>
                <dd>{percent(k.redemptionRate)}</dd>
              </div>
              <div>
                <dt>{t('kpis.donated')}</dt>
                <dd>{k.donatedPoints === null || k.donatedPoints === undefined ? '–' : points(k.donatedPoints)}</dd>
              </div>
            </dl>
          </Section>
          <Section title={t('kpis.byMonth')} id="by-month">
            <div className="charts">
              <BarChart testId="kpi-new-members" title={t('kpis.newMembers')} bars={series((m) => m.newMembers)} />
              <BarChart testId="kpi-earned-chart" title={t('kpis.earned')} bars={series((m) => Number(m.pointsEarned))} />
              <BarChart testId="kpi-burned-chart" title={t('kpis.burned')} bars={series((m) => Number(m.pointsBurned))} />
              <BarChart testId="kpi-liability-chart" title={t('kpis.liability')} bars={series((m) => Number(m.liabilityPoints))} />
              <BarChart testId="kpi-breakage-chart" title={t('kpis.breakage')} bars={series((m) => Number(m.breakageRate), (n) => percent(n))} />
              <BarChart testId="kpi-donated-chart" title={t('kpis.donated')} bars={series((m) => Number(m.donatedPoints ?? 0))} />
            </div>
          </Section>
          {data?.coalitionSettlement ? (
            <Section title={t('kpis.settlement')} id="settlement">
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('kpis.currency')}</th>
                      <th scope="col" className="num">
                        {t('statement.pointsIssued')}
                      </th>
                      <th scope="col" className="num">
                        {t('statement.pointsHonoured')}
                      </th>
                      <th scope="col" className="num">
                        {t('statement.net')}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.coalitionSettlement.totals.map((row) => (
                      <tr key={row.currency}>
                        <td>{row.currency}</td>
                        <td className="num">{points(row.pointsIssued)}</td>
                        <td className="num">{points(row.pointsHonoured)}</td>
                        <td className="num">{money(row.net.amount, row.net.currency)}</td>
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
