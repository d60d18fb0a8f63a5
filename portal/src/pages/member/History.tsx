import { useState } from 'react';
import { useQuery } from 'urql';
import { ErrorNotice, Loading, Page } from '../../components/ui';
import { graphql } from '../../gql';
import { useI18n, type MessageKey } from '../../i18n';

const History = graphql(`
  query PortalMemberHistory($after: String) {
    me {
      id
      points {
        history(first: 20, after: $after) {
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
            partner {
              id
              name
            }
            store {
              id
              name
            }
            awards {
              kind
              points
              fundedBy {
                id
                name
              }
            }
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
      }
    }
  }
`);

function HistoryPage({ after, last, onMore }: { after: string | null; last: boolean; onMore(cursor: string): void }) {
  const i18n = useI18n();
  const { t, points, dateTime, money } = i18n;
  const [{ data, fetching, error }] = useQuery({ query: History, variables: { after } });
  const history = data?.me?.points.history;
  return (
    <>
      <ErrorNotice error={error} />
      {fetching && !history ? <Loading /> : null}
      {history?.nodes.map((tx) => (
        <li key={tx.id} className="history-item" data-kind={tx.kind}>
          <div className="history-main">
            <span className="history-what">
              {t(`kind.${tx.kind}` as MessageKey)}
              {tx.partner ? ` · ${tx.partner.name}` : ''}
              {tx.store ? ` · ${tx.store.name}` : ''}
            </span>
            <span className={tx.points < 0 ? 'amount negative' : 'amount positive'}>
              {tx.points > 0 ? '+' : ''}
              {points(tx.points)}
            </span>
          </div>
          <div className="history-meta">
            <time dateTime={tx.createdAt}>{dateTime(tx.createdAt)}</time>
            {tx.purchase ? ` · ${t('history.purchase', { amount: money(tx.purchase.amount, tx.purchase.currency) })}` : ''}
          </div>
          {tx.awards.length > 0 ? (
            <ul className="awards" aria-label={t('history.awards')}>
              {tx.awards.map((a, i) => (
                <li key={i}>
                  {t(`award.${a.kind}` as MessageKey)}: {a.points > 0 ? '+' : ''}
                  {points(a.points)}
                  {a.fundedBy ? ` (${t('history.fundedBy', { name: a.fundedBy.name })})` : ''}
                </li>
              ))}
            </ul>
          ) : null}
        </li>
      ))}
      {last && history?.pageInfo.hasNextPage && history.pageInfo.endCursor ? (
        <li className="history-more">
          <button type="button" onClick={() => onMore(history.pageInfo.endCursor!)}>
            {t('history.more')}
          </button>
        </li>
      ) : null}
    </>
  );
}

export function MemberHistoryPage() {
  const { t } = useI18n();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return (
    <Page title={t('history.title')}>
      <p className="lead">{t('history.intro')}</p>
      <ol className="history card" data-testid="history">
        {cursors.map((after, i) => (
          <HistoryPage key={after ?? 'first'} after={after} last={i === cursors.length - 1} onMore={(c) => setCursors([...cursors, c])} />
        ))}
      </ol>
    </Page>
  );
}
