import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runMain, validate } from '../lib/src';
import { ensureDevKeys, signDevToken, type TokenKind } from './lib/dev-auth';

const HELP = `Mints an access token signed by the hub's local key (the one \`npm start\` trusts).

  npm run token -- --admin
  npm run token -- --partner <partner-id> [--scope "points:earn members:lookup"]
  npm run token -- --member <member-id>
  npm run token -- --charity <charity-id>
  npm run token -- --signup [--subject <subject>]     a person who may sign up (scope member:signup);
                                                      a new random subject each time unless given
  npm run token -- --member-subject <subject>         the member that subject signed up as (no member_id)

Options: --scope "<space separated>"  --expires 1h  --subject <subject> (or --sub)`;

runMain(async () => {
  const { values } = parseArgs({
    options: {
      admin: { type: 'boolean' },
      partner: { type: 'string' },
      member: { type: 'string' },
      charity: { type: 'string' },
      scope: { type: 'string' },
      expires: { type: 'string', default: '12h' },
      sub: { type: 'string' },
      subject: { type: 'string' },
      signup: { type: 'boolean' },
      'member-subject': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const kinds = (['admin', 'partner', 'member', 'charity', 'signup', 'member-subject'] as const).filter((k) => values[k] !== undefined);
  if (values.help || kinds.length !== 1) {
    console.log(HELP);
    process.exit(values.help ? 0 : 1);
  }
  const chosen = kinds[0];
  // A member token naming only a subject: the hub finds the member through the identity link signUp made.
  const kind: TokenKind = chosen === 'member-subject' ? 'member' : chosen;
  const id = chosen === 'admin' || chosen === 'signup' || chosen === 'member-subject' ? undefined : validate.uuid(chosen, String(values[chosen]));
  const subject = chosen === 'member-subject' ? String(values['member-subject']) : (values.subject ?? values.sub);
  const keys = await ensureDevKeys(join(process.env.HUB_DATA_DIR ?? join(__dirname, '..', '..', '.data'), 'auth'));
  console.log(await signDevToken(keys, { kind, id, scope: values.scope, expiresIn: values.expires, subject }));
});
