import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { useAuth } from '../../auth/context';
import { ErrorNotice, Loading, Page, Section, Success, newKey } from '../../components/ui';
import { graphql } from '../../gql';
import { useI18n, type MessageKey } from '../../i18n';
import { download } from '../../download';
import { TERMS_VERSION } from '../SignUp';

const Profile = graphql(`
  query PortalMemberProfile {
    me {
      id
      displayName
      email
      phone
      birthDate
      preferredLanguage
      referralCode
      status
      cardNumber
      cards {
        cardNumber
        status
        blockReason
        blockedAt
        issuedAt
      }
      consents {
        termsVersion
        marketing
        partnerDataSharing
      }
      points {
        available
      }
    }
    charities(first: 50) {
      nodes {
        id
        name
        receivesGifts
      }
    }
  }
`);

const UpdateProfile = graphql(`
  mutation PortalUpdateProfile($input: UpdateProfileInput!) {
    updateProfile(input: $input) {
      member {
        id
        displayName
        email
        phone
        birthDate
        preferredLanguage
      }
    }
  }
`);

const SetConsents = graphql(`
  mutation PortalSetConsents($input: SetConsentsInput!) {
    setConsents(input: $input) {
      member {
        id
        consents {
          termsVersion
          marketing
          partnerDataSharing
        }
      }
    }
  }
`);

const ReplaceCard = graphql(`
  mutation PortalReplaceCard($input: ReplaceCardInput!) {
    replaceCard(input: $input) {
      member {
        id
        cardNumber
      }
    }
  }
`);

const CloseMembership = graphql(`
  mutation PortalCloseMembership($input: CloseMembershipInput!) {
    closeMembership(input: $input) {
      member {
        id
        status
      }
    }
  }
`);

type Me = NonNullable<NonNullable<ReturnType<typeof useProfileQuery>[0]['data']>['me']>;
const useProfileQuery = () => useQuery({ query: Profile });

function ProfileForm({ me }: { me: Me }) {
  const { t } = useI18n();
  const [form, setForm] = useState({ displayName: me.displayName, email: me.email ?? '', phone: me.phone ?? '', birthDate: me.birthDate ?? '', preferredLanguage: me.preferredLanguage ?? 'en' });
  const [result, update] = useMutation(UpdateProfile);
  const set = (field: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [field]: e.target.value });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void update({ input: { displayName: form.displayName, email: form.email, phone: form.phone || undefined, birthDate: form.birthDate || undefined, preferredLanguage: form.preferredLanguage } });
  };
  return (
    <form className="form" onSubmit={submit}>
      <label htmlFor="displayName">{t('profile.displayName')}</label>
      <input id="displayName" autoComplete="name" value={form.displayName} onChange={set('displayName')} required />
      <label htmlFor="email">{t('profile.email')}</label>
      <input id="email" type="email" autoComplete="email" value={form.email} onChange={set('email')} required />
      <label htmlFor="phone">{t('profile.phone')}</label>
      <input id="phone" type="tel" autoComplete="tel" value={form.phone} onChange={set('phone')} aria-describedby="phone-hint" />
      <p id="phone-hint" className="hint">
        {t('profile.phoneHint')}
      </p>
      <label htmlFor="birthDate">{t('profile.birthDate')}</label>
      <input id="birthDate" type="date" autoComplete="bday" value={form.birthDate} onChange={set('birthDate')} />
      <label htmlFor="preferredLanguage">{t('profile.language')}</label>
      <select id="preferredLanguage" value={form.preferredLanguage} onChange={set('preferredLanguage')}>
        <option value="nb">Norsk bokmål</option>
        <option value="en">English</option>
        <option value="sv">Svenska</option>
        <option value="da">Dansk</option>
      </select>
      <ErrorNotice error={result.error} />
      {result.data ? <Success>{t('profile.saved')}</Success> : null}
      <button type="submit" className="primary" disabled={result.fetching}>
        {t('common.save')}
      </button>
    </form>
  );
}

function ConsentsForm({ me }: { me: Me }) {
  const { t } = useI18n();
  const [result, setConsents] = useMutation(SetConsents);
  const [marketing, setMarketing] = useState(me.consents.marketing);
  const [sharing, setSharing] = useState(me.consents.partnerDataSharing);
  useEffect(() => {
    setMarketing(me.consents.marketing);
    setSharing(me.consents.partnerDataSharing);
  }, [me.consents.marketing, me.consents.partnerDataSharing]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void setConsents({ input: { marketing, partnerDataSharing: sharing, termsVersion: me.consents.termsVersion ? undefined : TERMS_VERSION } });
  };
  return (
    <form className="form" onSubmit={submit}>
      <p>{me.consents.termsVersion ? t('consents.termsAccepted', { version: me.consents.termsVersion }) : t('consents.termsNotYet', { version: TERMS_VERSION })}</p>
      <div className="check">
        <input id="consent-marketing" type="checkbox" checked={marketing} onChange={(e) => setMarketing(e.target.checked)} />
        <label htmlFor="consent-marketing">{t('consents.marketing')}</label>
      </div>
      <div className="check">
        <input id="consent-sharing" type="checkbox" checked={sharing} onChange={(e) => setSharing(e.target.checked)} />
        <label htmlFor="consent-sharing">{t('consents.partnerDataSharing')}</label>
      </div>
      <ErrorNotice error={result.error} />
      {result.data ? <Success>{t('consents.saved')}</Success> : null}
      <button type="submit" disabled={result.fetching}>
        {t('consents.save')}
      </button>
    </form>
  );
}

function Cards({ me }: { me: Me }) {
  const { t, date } = useI18n();
  const [result, replace] = useMutation(ReplaceCard);
  const [reason, setReason] = useState<'LOST' | 'STOLEN' | 'DAMAGED'>('LOST');
  const [key, setKey] = useState(() => newKey('portal-replace-card'));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const answer = await replace({ input: { reason, idempotencyKey: key } });
    if (answer.data) setKey(newKey('portal-replace-card'));
  };
  return (
    <>
      <ul className="plain">
        {(me.cards ?? []).map((c) => (
          <li key={c.cardNumber}>
            <span className="mono">{c.cardNumber.replace(/(\d{4})(?=\d)/g, '$1 ')}</span> · {t(`card.${c.status}` as MessageKey)}
            {c.blockReason ? ` (${t(`card.reason.${c.blockReason}` as MessageKey)}, ${date(c.blockedAt ?? c.issuedAt)})` : ''}
          </li>
        ))}
      </ul>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label htmlFor="reason">{t('card.why')}</label>
        <select id="reason" value={reason} onChange={(e) => setReason(e.target.value as typeof reason)}>
          <option value="LOST">{t('card.reason.LOST')}</option>
          <option value="STOLEN">{t('card.reason.STOLEN')}</option>
          <option value="DAMAGED">{t('card.reason.DAMAGED')}</option>
        </select>
        <ErrorNotice error={result.error} />
        {result.data ? <Success>{t('card.replaced', { card: result.data.replaceCard.member.cardNumber })}</Success> : null}
        <button type="submit" disabled={result.fetching || me.status === 'CLOSED'}>
          {t('card.replace')}
        </button>
      </form>
    </>
  );
}

function Close({ me, charities }: { me: Me; charities: { id: string; name: string; receivesGifts: boolean }[] }) {
  const { t, points } = useI18n();
  const [result, close] = useMutation(CloseMembership);
  const [remaining, setRemaining] = useState<'DONATE' | 'FORFEIT'>('DONATE');
  const open = charities.filter((c) => c.receivesGifts);
  const [charityId, setCharityId] = useState(open[0]?.id ?? '');
  const [sure, setSure] = useState(false);
  const [key] = useState(() => newKey('portal-close'));
  if (me.status === 'CLOSED') return <p>{t('close.closed')}</p>;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void close({ input: { remainingPoints: remaining, charityId: remaining === 'DONATE' ? charityId : undefined, idempotencyKey: key } });
  };
  return (
    <form className="form" onSubmit={submit}>
      <p>{t('close.intro', { points: points(me.points.available) })}</p>
      <fieldset>
        <legend>{t('close.remaining')}</legend>
        <div className="check">
          <input id="close-donate" type="radio" name="remaining" checked={remaining === 'DONATE'} onChange={() => setRemaining('DONATE')} />
          <label htmlFor="close-donate">{t('close.donate')}</label>
        </div>
        <div className="check">
          <input id="close-forfeit" type="radio" name="remaining" checked={remaining === 'FORFEIT'} onChange={() => setRemaining('FORFEIT')} />
          <label htmlFor="close-forfeit">{t('close.forfeit')}</label>
        </div>
      </fieldset>
      {remaining === 'DONATE' ? (
        <>
          <label htmlFor="close-charity">{t('give.charity')}</label>
          <select id="close-charity" value={charityId} onChange={(e) => setCharityId(e.target.value)}>
            {open.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </>
      ) : null}
      <div className="check">
        <input id="close-sure" type="checkbox" checked={sure} onChange={(e) => setSure(e.target.checked)} />
        <label htmlFor="close-sure">{t('close.sure')}</label>
      </div>
      <ErrorNotice error={result.error} />
      {result.data ? <Success>{t('close.done')}</Success> : null}
      <button type="submit" className="danger" disabled={!sure || result.fetching}>
        {t('close.submit')}
      </button>
    </form>
  );
}

export function MemberProfilePage() {
  const { t } = useI18n();
  const { session } = useAuth();
  const [{ data, fetching, error }] = useProfileQuery();
  const [downloadError, setDownloadError] = useState<Error | null>(null);
  const me = data?.me;
  return (
    <Page title={t('profile.title')}>
      <ErrorNotice error={error} />
      {fetching && !me ? <Loading /> : null}
      {me ? (
        <>
          <Section title={t('profile.details')} id="details">
            <ProfileForm me={me} />
            {me.referralCode ? <p>{t('profile.referral', { code: me.referralCode })}</p> : null}
          </Section>
          <Section title={t('consents.title')} id="consents">
            <ConsentsForm me={me} />
          </Section>
          <Section title={t('card.title')} id="cards">
            <Cards me={me} />
          </Section>
          <Section title={t('data.title')} id="data">
            <p>{t('data.intro')}</p>
            <ErrorNotice error={downloadError} />
            <button
              type="button"
              onClick={() => {
                setDownloadError(null);
                download(`/members/${encodeURIComponent(me.id)}/export.json`, session?.token ?? '', `member-${me.id}-export.json`).catch((e: Error) => setDownloadError(e));
              }}
            >
              {t('data.download')}
            </button>
          </Section>
          <Section title={t('close.title')} id="close">
            <Close me={me} charities={data.charities.nodes} />
          </Section>
        </>
      ) : null}
    </Page>
  );
}
