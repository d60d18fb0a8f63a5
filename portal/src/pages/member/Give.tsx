import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { ErrorNotice, Loading, Page, Section, Success, newKey } from '../../components/ui';
import { graphql } from '../../gql';
import { useI18n } from '../../i18n';

const Giving = graphql(`
  query PortalMemberGiving {
    me {
      id
      points {
        available
      }
      cause {
        id
        name
      }
      giving {
        donatedPoints
        donations
        charities
        matchedPoints
        donatedValue {
          amount
          currency
        }
      }
      donations {
        id
        points
        createdAt
        status
        receiptId
        value {
          amount
          currency
        }
        charity {
          id
          name
        }
        receipt {
          receiptId
          seq
          hash
          prevHash
        }
      }
    }
    charities(first: 50) {
      nodes {
        id
        name
        description
        status
        verification
        receivesGifts
      }
    }
  }
`);

const Donate = graphql(`
  mutation PortalDonatePoints($input: DonatePointsInput!) {
    donatePoints(input: $input) {
      donation {
        id
        points
        status
        receiptId
        charity {
          id
          name
        }
      }
    }
  }
`);

const ChooseCause = graphql(`
  mutation PortalChooseCause($input: ChooseCauseInput!) {
    chooseCause(input: $input) {
      cause {
        id
        name
      }
    }
  }
`);

export function MemberGivePage() {
  const { t, points, date, money } = useI18n();
  const [{ data, fetching, error }, refetch] = useQuery({ query: Giving });
  const [donation, donate] = useMutation(Donate);
  const [cause, chooseCause] = useMutation(ChooseCause);
  const [charityId, setCharityId] = useState('');
  const [amount, setAmount] = useState('');
  const [key, setKey] = useState(() => newKey('portal-donate'));
  const open = data?.charities.nodes.filter((c) => c.receivesGifts) ?? [];
  const chosen = charityId || data?.me?.cause?.id || open[0]?.id || '';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const answer = await donate({ input: { charityId: chosen, points: Number(amount), idempotencyKey: key } });
    if (answer.data) {
      setAmount('');
      setKey(newKey('portal-donate'));
      refetch({ requestPolicy: 'network-only' });
    }
  };

  return (
    <Page title={t('give.title')}>
      <ErrorNotice error={error} />
      {fetching && !data ? <Loading /> : null}
      {data?.me ? (
        <>
          <Section title={t('give.donate')} id="donate">
            <form className="form" onSubmit={(e) => void submit(e)}>
              <label htmlFor="charity">{t('give.charity')}</label>
              <select id="charity" value={chosen} onChange={(e) => setCharityId(e.target.value)}>
                {open.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
              <label htmlFor="points">{t('give.points')}</label>
              <input
                id="points"
                type="number"
                inputMode="numeric"
                min={1}
                step={1}
                max={data.me.points.available}
                required
                value={amount}
                onChange={(e) => setAmount(e.target.value)}
                aria-describedby="points-hint"
              />
              <p id="points-hint" className="hint">
                {t('give.available', { points: points(data.me.points.available) })}
              </p>
              <ErrorNotice error={donation.error} />
              {donation.data ? <Success>{t('give.thanks', { points: points(donation.data.donatePoints.donation.points), charity: donation.data.donatePoints.donation.charity.name })}</Success> : null}
              <button type="submit" className="primary" disabled={donation.fetching || !chosen}>
                {donation.fetching ? t('common.working') : t('give.submit')}
              </button>
            </form>
          </Section>
          <Section title={t('give.cause')} id="cause">
            <p>{data.me.cause ? t('give.causeIs', { name: data.me.cause.name }) : t('give.noCause')}</p>
            <ErrorNotice error={cause.error} />
            {chosen && chosen !== data.me.cause?.id ? (
              <button type="button" disabled={cause.fetching} onClick={() => void chooseCause({ input: { charityId: chosen } }).then(() => refetch({ requestPolicy: 'network-only' }))}>
                {t('give.makeCause', { name: open.find((c) => c.id === chosen)?.name ?? '' })}
              </button>
            ) : null}
          </Section>
          <Section title={t('give.sofar')} id="giving-so-far">
            <p data-testid="giving-summary">
              {t('home.givingSummary', { points: points(data.me.giving.donatedPoints), donations: data.me.giving.donations, charities: data.me.giving.charities })}
            </p>
            {Number(data.me.giving.matchedPoints) > 0 ? <p>{t('give.matched', { points: points(data.me.giving.matchedPoints) })}</p> : null}
            {data.me.giving.donatedValue.map((v) => (
              <p key={v.currency}>{t('give.worth', { amount: money(v.amount, v.currency) })}</p>
            ))}
            {data.me.donations.length > 0 ? (
              <div className="table-wrap">
                <table>
                  <caption className="visually-hidden">{t('give.receipts')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('common.date')}</th>
                      <th scope="col">{t('give.charity')}</th>
                      <th scope="col">{t('common.points')}</th>
                      <th scope="col">{t('give.receipt')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.me.donations.map((d) => (
                      <tr key={d.id}>
                        <td>{date(d.createdAt)}</td>
                        <td>{d.charity.name}</td>
                        <td className="num">{points(d.points)}</td>
                        <td>
                          {d.receipt ? (
                            <details>
                              <summary>
                                {t('give.receiptNo', { seq: d.receipt.seq })}
                              </summary>
                              <p className="mono small">
                                {t('give.receiptHash')}: {d.receipt.hash}
                                <br />
                                {t('give.receiptPrev')}: {d.receipt.prevHash}
                              </p>
                            </details>
                          ) : (
                            t('give.receiptPending')
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
            <p className="hint">{t('give.verifiable')}</p>
          </Section>
        </>
      ) : null}
    </Page>
  );
}
