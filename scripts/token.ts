import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runMain, validate } from '../lib/src';
import { ensureDevKeys, signDevToken, type TokenKind } from './lib/dev-auth';

const HELP = `Mints an access token signed by the hub's local key (the one \`npm start\` trusts).

  npm run token -- --admin
  npm run token -- --partner <partner-id> [--scope "points:earn members:lookup"]
  npm run token -- --member <member-id>
  npm run token -- --charity <charity-id>

Options: --scope "<space separated>"  --expires 1h  --sub <subject>`;

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
      help: { type: 'boolean' },
    },
  });
  const kinds = (['admin', 'partner', 'member', 'charity'] as const).filter((k) => values[k] !== undefined);
  if (values.help || kinds.length !== 1) {
    console.log(HELP);
    process.exit(values.help ? 0 : 1);
  }
  const kind: TokenKind = kinds[0];
  const id = kind === 'admin' ? undefined : validate.uuid(kind, String(values[kind]));
  const keys = await ensureDevKeys(join(process.env.HUB_DATA_DIR ?? join(__dirname, '..', '..', '.data'), 'auth'));
  console.log(await signDevToken(keys, { kind, id, scope: values.scope, expiresIn: values.expires, subject: values.sub }));
});
