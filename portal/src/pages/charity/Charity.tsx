import { useState } from 'react';
import { useQuery } from 'urql';
import { useAuth } from '../../auth/context';
import { BarChart } from '../../components/BarChart';
import { ErrorNotice, Loading, Page, Section, recentPeriod } from '../../components/ui';
import { graphql } from '../../gql';
import { useI18n, type MessageKey } from '../../i18n';

const CharityReport = graphql(`
  query PortalCharityReport($charityId: ID!, $from: String!, $to: String!) {
    charity(id: $charityId) {
      id
      name
      status
      verification
      goals {
        id
        title
        targetPoints
        progressPoints
        endsAt
      }
    }
    givingReport(charityId: $charityId, from: $from, to: $to, period: MONTH) {
      rows {
        period
        kind
        points
        count
        value {
          amount
          currency
        }
      }
    }
    receipts(charityId: $charityId, first: 100) {
      receiptId
      seq
      kind
      points
      createdAt
      hash
      value {
        amount
        currency
      }
    }
  }
`);

const VerifyChain = graphql(`
  query PortalVerifyReceiptChain($charityId: ID!) {
    verifyReceiptChain(charityId: $charityId) {
      valid
      length
      headHash
      firstBrokenSeq
    }
  }
`);

const KINDS = ['DONATION', 'PLEDGE', 'MATCH'] as const;

function Verify({ charityId }: { charityId: string }) {
  const { t, points } = useI18n();
  const [asked, setAsked] = useState(false);
  const [{ data, fetching, error }, run] = useQuery({ query: VerifyChain, variables: { charityId }, pause: true, requestPolicy: 'network-only' });
  const result = data?.verifyReceiptChain;
  return (
    <>
      <button
        type="button"
        className="primary"
        onClick={() => {
          setAsked(true);
          run({ requestPolicy: 'network-only' });
        }}
        disabled={fetching}
      >
        {t('charity.verify')}
      </button>
      {fetching ? <Loading label={t('charity.verifying')} /> : null}
      <ErrorNotice error={error} />
      {asked && result && !fetching ? (
        <p className={result.valid ? 'notice notice-success' : 'notice notice-error'} role="status" data-testid="chain-result">
          {result.valid
            ? t('charity.chainValid', { length: points(result.length), head: result.headHash.slice(0, 16) })
            : t('charity.chainBroken', { seq: result.firstBrokenSeq ?? '?' })}
        </p>
      ) : null}
    </>
  );
}

export function CharityPage() {
  const { t, points, month, date, money } = useI18n();
  const { session } = useAuth();
  const [period] = useState(() => recentPeriod(12));
  const charityId = session?.id ?? '';
  const [{ data, fetching, error }] = useQuery({ query: CharityReport, variables: { charityId, ...period }, pause: !charityId });
  const rows = data?.givingReport.rows ?? [];
  const periods = [...new Set(rows.map((r) => r.period))].sort();
  return (
    <Page title={data?.charity?.name ?? t('nav.charity')}>
      <ErrorNotice error={error} />
      {fetching && !data ? <Loading /> : null}
      {data ? (
        <>
          <Section title={t('charity.overTime')} id="over-time">
            {periods.length === 0 ? <p>{t('charity.noGifts')}</p> : null}
            {KINDS.map((kind) => {
              const bars = periods.map((p) => {
                const value = rows.filter((r) => r.period === p && r.kind === kind).reduce((sum, r) => sum + Number(r.points), 0);
                return { label: month(p.length === 7 ? `${p}-01T00:00:00Z` : p), value, display: points(value) };
              });
              if (bars.every((b) => b.value === 0)) return null;
              return <BarChart key={kind} testId={`giving-${kind}`} title={t(`giving.${kind}` as MessageKey)} bars={bars} />;
            })}
          </Section>
          {data.charity && data.charity.goals.length > 0 ? (
            <Section title={t('charity.goals')} id="goals">
              <ul className="plain">
                {data.charity.goals.map((g) => (
                  <li key={g.id}>
                    <label htmlFor={`goal-${g.id}`}>
                      {g.title}: {t('charity.goalProgress', { progress: points(g.progressPoints), target: points(g.targetPoints), date: date(g.endsAt) })}
                    </label>
                    <progress id={`goal-${g.id}`} max={Number(g.targetPoints)} value={Math.min(Number(g.progressPoints), Number(g.targetPoints))} />
                  </li>
                ))}
              </ul>
            </Section>
          ) : null}
          <Section title={t('charity.receipts')} id="receipts">
            <p>{t('charity.receiptsIntro')}</p>
            <Verify charityId={charityId} />
            <div className="table-wrap">
              <table data-testid="receipts">
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">{t('common.date')}</th>
                    <th scope="col">{t('charity.kind')}</th>
                    <th scope="col" className="num">
                      {t('common.points')}
                    </th>
                    <th scope="col" className="num">
                      {t('charity.value')}
                    </th>
                    <th scope="col">{t('give.receiptHash')}</th>
                  </tr>
                </thead>
                <tbody>
                  {[...data.receipts].sort((a, b) => Number(b.seq) - Number(a.seq)).map((r) => (
                    <tr key={r.receiptId}>
                      <td>{r.seq}</td>
                      <td>{date(r.createdAt)}</td>
                      <td>{t(`giving.${r.kind}` as MessageKey)}</td>
                      <td className="num">{r.points ? points(r.points) : ''}</td>
                      <td className="num">{money(r.value.amount, r.value.currency)}</td>
                      <td className="mono small">{r.hash.slice(0, 16)}…</td>
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
