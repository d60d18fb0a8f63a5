import { useCallback, useEffect, useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import { ErrorNotice, Loading, Page, Section, Success } from '../../components/ui';
import { graphql } from '../../gql';
import { useI18n } from '../../i18n';
import { Link, useRouter } from '../../router';

const MemberHome = graphql(`
  query PortalMemberHome {
    me {
      id
      displayName
      cardNumber
      status
      points {
        balance
        available
        pending
        tier {
          name
          multiplier
          qualifyingPoints
          nextTier
          pointsToNextTier
          keptBy
          tierEndsAt
          pointsToKeep
        }
        expiringSoon(days: 90) {
          points
          expiresAt
        }
      }
      giving {
        donatedPoints
        donations
        charities
      }
      cause {
        id
        name
      }
    }
    tiers {
      name
      threshold
      multiplier
    }
  }
`);

const AccountEvents = graphql(`
  subscription PortalAccountEvents {
    accountEvents {
      id
      type
    }
  }
`);

/**
 * Keeps the member's figures live: each event of the member's account (an earn at a till, a redemption, a
 * notice) arrives over the accountEvents subscription as it commits, and the page reads them again.
 */
function useLiveAccount(member: boolean, refresh: () => void): void {
  const [{ data }] = useSubscription({ query: AccountEvents, pause: !member });
  const last = data?.accountEvents.id;
  useEffect(() => {
    if (last) refresh();
  }, [last, refresh]);
}

const WelcomeBonus = graphql(`
  query PortalWelcomeBonus {
    me {
      id
      points {
        balance
        history(first: 10) {
          nodes {
            id
            kind
            points
            awards {
              kind
              points
            }
          }
        }
      }
    }
  }
`);

/** After sign-up: waits (a few seconds) for the welcome bonus the programme pays, and shows it. */
function WelcomeBanner() {
  const { t, points } = useI18n();
  const [{ data }, refetch] = useQuery({ query: WelcomeBonus, requestPolicy: 'network-only' });
  const [gaveUp, setGaveUp] = useState(false);
  const bonus = data?.me?.points.history.nodes.flatMap((n) => n.awards).find((a) => a.kind === 'WELCOME');
  useEffect(() => {
    if (bonus || gaveUp) return;
    const poll = setInterval(() => refetch({ requestPolicy: 'network-only' }), 1500);
    const stop = setTimeout(() => setGaveUp(true), 20_000);
    return () => {
      clearInterval(poll);
      clearTimeout(stop);
    };
  }, [bonus, gaveUp, refetch]);
  if (bonus) return <Success>{t('home.welcomeBonus', { points: points(bonus.points) })}</Success>;
  if (gaveUp) return <Success>{t('home.welcome')}</Success>;
  return <Loading label={t('home.welcomeWaiting')} />;
}

export function MemberHomePage() {
  const i18n = useI18n();
  const { t, points, date } = i18n;
  const { search } = useRouter();
  const [{ data, fetching, error }, refetch] = useQuery({ query: MemberHome });
  const me = data?.me;
  useLiveAccount(Boolean(me), useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]));
  const justJoined = search.get('welcome') !== null;
  const [retries, setRetries] = useState(0);
  // Right after sign-up a subgraph may not see the new member for a moment (it remembers "no member" for
  // about two seconds): ask again a few times before showing the error.
  useEffect(() => {
    if (!justJoined || !error || retries >= 5) return;
    const timer = setTimeout(() => {
      setRetries((n) => n + 1);
      refetch({ requestPolicy: 'network-only' });
    }, 1500);
    return () => clearTimeout(timer);
  }, [justJoined, error, retries, refetch]);
  const settling = justJoined && error && retries < 5;
  // Signed in at the identity provider but not a member yet: `me` is refused until the person signs up.
  const notMember = !justJoined && (error?.graphQLErrors ?? []).some((e) => e.path?.length === 1 && e.path[0] === 'me' && e.extensions?.code === 'FORBIDDEN');
  const tier = me?.points.tier;
  const next = data?.tiers.find((x) => x.name === tier?.nextTier);
  const progress = tier && next ? Math.min(1, Number(tier.qualifyingPoints) / Math.max(1, Number(next.threshold))) : 1;
  return (
    <Page title={me ? t('home.title', { name: me.displayName }) : t('nav.home')}>
      {justJoined ? <WelcomeBanner /> : null}
      {notMember ? (
        <section className="card">
          <p>{t('home.notMember')}</p>
          <Link to="/sign-up" className="button-link">
            {t('home.join')}
          </Link>
        </section>
      ) : settling ? null : (
        <ErrorNotice error={error} />
      )}
      {fetching && !me ? <Loading /> : null}
      {me ? (
        <div className="grid">
          <Section title={t('home.balance')} id="balance">
            <p className="big-number" data-testid="balance">
              {points(me.points.balance)} <span className="unit">{t('common.points')}</span>
            </p>
            <dl className="facts">
              <div>
                <dt>{t('home.available')}</dt>
                <dd data-testid="available">{points(me.points.available)}</dd>
              </div>
              <div>
                <dt>{t('home.pending')}</dt>
                <dd>{points(me.points.pending)}</dd>
              </div>
              <div>
                <dt>{t('home.card')}</dt>
                <dd className="mono">{me.cardNumber.replace(/(\d{4})(?=\d)/g, '$1 ')}</dd>
              </div>
            </dl>
            {me.status === 'CLOSED' ? <p className="notice">{t('home.closed')}</p> : null}
          </Section>
          <Section title={t('home.tier')} id="tier">
            <p className="big-number">{tier?.name}</p>
            <p>{t('home.tierMultiplier', { multiplier: i18n.number(tier?.multiplier ?? 1) })}</p>
            {tier && tier.keptBy !== 'QUALIFYING' ? <p id="tier-kept-by">{t(`tierKeptBy.${tier.keptBy}`)}</p> : null}
            {tier?.tierEndsAt ? (
              <p id="tier-ends">
                {Number(tier.pointsToKeep) > 0
                  ? t('home.tierEndsUnless', { date: i18n.date(tier.tierEndsAt), points: points(tier.pointsToKeep) })
                  : t('home.tierEnds', { date: i18n.date(tier.tierEndsAt) })}
              </p>
            ) : null}
            {tier?.nextTier ? (
              <>
                <label htmlFor="tier-progress">{t('home.toNextTier', { points: points(tier.pointsToNextTier), tier: tier.nextTier })}</label>
                <progress id="tier-progress" max={1} value={progress}>
                  {i18n.percent(progress)}
                </progress>
              </>
            ) : (
              <p>{t('home.topTier')}</p>
            )}
            <p className="hint">{t('home.tierPeriod')}</p>
          </Section>
          <Section title={t('home.expiring')} id="expiring">
            {me.points.expiringSoon.length === 0 ? (
              <p>{t('home.nothingExpiring')}</p>
            ) : (
              <ul className="plain">
                {me.points.expiringSoon.map((e) => (
                  <li key={e.expiresAt}>{t('home.expiresOn', { points: points(e.points), date: date(e.expiresAt) })}</li>
                ))}
              </ul>
            )}
          </Section>
          <Section title={t('home.giving')} id="giving">
            <p>{t('home.givingSummary', { points: points(me.giving.donatedPoints), donations: me.giving.donations, charities: me.giving.charities })}</p>
            {me.cause ? <p>{t('home.cause', { name: me.cause.name })}</p> : null}
            <Link to="/member/give">{t('home.giveMore')}</Link>
          </Section>
        </div>
      ) : null}
    </Page>
  );
}
