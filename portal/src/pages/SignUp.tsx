import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { useAuth } from '../auth/context';
import { ErrorNotice, Page, newKey } from '../components/ui';
import { graphql } from '../gql';
import { useI18n } from '../i18n';
import { useRouter } from '../router';

/** The terms a new member accepts (the version is recorded with the consent). */
export const TERMS_VERSION = '2026-01';

const SignUp = graphql(`
  mutation PortalSignUp($input: SignUpInput!) {
    signUp(input: $input) {
      member {
        id
        displayName
        cardNumber
      }
    }
  }
`);

export function SignUpPage() {
  const { t, locale } = useI18n();
  const { session, signIn } = useAuth();
  const { navigate } = useRouter();
  const [result, signUp] = useMutation(SignUp);
  const [key] = useState(() => newKey('portal-signup'));
  const [form, setForm] = useState({ displayName: '', email: '', birthDate: '', preferredLanguage: locale as string, referralCode: '', terms: false, marketing: false, partnerDataSharing: false });
  const [termsMissing, setTermsMissing] = useState(false);
  const set = (field: keyof typeof form) => (e: { target: HTMLInputElement | HTMLSelectElement }) =>
    setForm({ ...form, [field]: e.target instanceof HTMLInputElement && e.target.type === 'checkbox' ? e.target.checked : e.target.value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!form.terms) {
      setTermsMissing(true);
      document.getElementById('terms')?.focus();
      return;
    }
    setTermsMissing(false);
    const answer = await signUp({
      input: {
        displayName: form.displayName,
        email: form.email,
        birthDate: form.birthDate || undefined,
        preferredLanguage: form.preferredLanguage,
        referralCode: form.referralCode || undefined,
        consents: { termsVersion: TERMS_VERSION, marketing: form.marketing, partnerDataSharing: form.partnerDataSharing },
        idempotencyKey: key,
      },
    });
    if (answer.data?.signUp.member && session) {
      // The same token now acts as the member it signed up as (its identity is linked).
      signIn({ ...session, kind: 'member', name: answer.data.signUp.member.displayName });
      navigate('/member?welcome=1');
    }
  };

  return (
    <Page title={t('signUp.title')}>
      <p className="lead">{t('signUp.intro')}</p>
      <form className="card form" onSubmit={(e) => void submit(e)} noValidate>
        <label htmlFor="displayName">{t('profile.displayName')}</label>
        <input id="displayName" name="displayName" required autoComplete="name" value={form.displayName} onChange={set('displayName')} />
        <label htmlFor="email">{t('profile.email')}</label>
        <input id="email" name="email" type="email" required autoComplete="email" value={form.email} onChange={set('email')} />
        <label htmlFor="birthDate">{t('profile.birthDate')}</label>
        <input id="birthDate" name="birthDate" type="date" autoComplete="bday" value={form.birthDate} onChange={set('birthDate')} aria-describedby="birthDate-hint" />
        <p id="birthDate-hint" className="hint">
          {t('signUp.birthDateHint')}
        </p>
        <label htmlFor="preferredLanguage">{t('profile.language')}</label>
        <select id="preferredLanguage" value={form.preferredLanguage} onChange={set('preferredLanguage')}>
          <option value="nb">Norsk bokmål</option>
          <option value="en">English</option>
          <option value="sv">Svenska</option>
          <option value="da">Dansk</option>
        </select>
        <label htmlFor="referralCode">{t('signUp.referralCode')}</label>
        <input id="referralCode" name="referralCode" value={form.referralCode} onChange={set('referralCode')} />
        <fieldset>
          <legend>{t('consents.title')}</legend>
          <div className="check">
            <input id="terms" type="checkbox" checked={form.terms} onChange={set('terms')} aria-invalid={termsMissing} aria-describedby={termsMissing ? 'terms-error' : undefined} />
            <label htmlFor="terms">{t('consents.terms', { version: TERMS_VERSION })}</label>
          </div>
          {termsMissing ? (
            <p id="terms-error" className="field-error" role="alert">
              {t('signUp.termsRequired')}
            </p>
          ) : null}
          <div className="check">
            <input id="marketing" type="checkbox" checked={form.marketing} onChange={set('marketing')} />
            <label htmlFor="marketing">{t('consents.marketing')}</label>
          </div>
          <div className="check">
            <input id="partnerDataSharing" type="checkbox" checked={form.partnerDataSharing} onChange={set('partnerDataSharing')} />
            <label htmlFor="partnerDataSharing">{t('consents.partnerDataSharing')}</label>
          </div>
        </fieldset>
        <ErrorNotice error={result.error} />
        <button type="submit" className="primary" disabled={result.fetching}>
          {result.fetching ? t('common.working') : t('signUp.submit')}
        </button>
      </form>
    </Page>
  );
}
