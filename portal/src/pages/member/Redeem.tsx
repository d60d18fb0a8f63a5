import { QRCodeSVG } from 'qrcode.react';
import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { ErrorNotice, Page, Section, useNow } from '../../components/ui';
import { graphql } from '../../gql';
import { useI18n } from '../../i18n';

const CreateCode = graphql(`
  mutation PortalCreateRedemptionCode($input: CreateRedemptionCodeInput!) {
    createRedemptionCode(input: $input) {
      code
      expiresAt
    }
  }
`);

/** A one-time code for paying with points at a till: shown as a QR code, with the time it has left. */
export function MemberRedeemPage() {
  const { t } = useI18n();
  const [maxPoints, setMaxPoints] = useState('');
  const [result, create] = useMutation(CreateCode);
  const now = useNow();
  const code = result.data?.createRedemptionCode;
  const left = code ? Math.max(0, Math.round((Date.parse(code.expiresAt) - now) / 1000)) : 0;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void create({ input: { maxPoints: maxPoints ? Number(maxPoints) : undefined } });
  };
  return (
    <Page title={t('redeem.title')}>
      <p className="lead">{t('redeem.intro')}</p>
      <form className="card form" onSubmit={submit}>
        <label htmlFor="maxPoints">{t('redeem.maxPoints')}</label>
        <input id="maxPoints" type="number" inputMode="numeric" min={1} step={1} value={maxPoints} onChange={(e) => setMaxPoints(e.target.value)} aria-describedby="maxPoints-hint" />
        <p id="maxPoints-hint" className="hint">
          {t('redeem.maxPointsHint')}
        </p>
        <ErrorNotice error={result.error} />
        <button type="submit" className="primary" disabled={result.fetching}>
          {code ? t('redeem.newCode') : t('redeem.create')}
        </button>
      </form>
      {code ? (
        <Section title={t('redeem.yourCode')} id="code">
          {left > 0 ? (
            <div className="qr">
              <QRCodeSVG value={code.code} size={208} level="M" role="img" aria-label={t('redeem.qrLabel', { code: code.code })} marginSize={2} />
              <p className="big-number mono" data-testid="redemption-code">
                {code.code}
              </p>
              <p role="timer" aria-live="off" data-testid="countdown">
                {t('redeem.expiresIn', { minutes: Math.floor(left / 60), seconds: String(left % 60).padStart(2, '0') })}
              </p>
            </div>
          ) : (
            <p className="notice" role="status">
              {t('redeem.expired')}
            </p>
          )}
        </Section>
      ) : null}
    </Page>
  );
}
