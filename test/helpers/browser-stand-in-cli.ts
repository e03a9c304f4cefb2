// Run as `xdg-open <url>` (a wrapper script execs this with Node): the system browser for CLI sign-in tests.
import { visitAsBrowser } from './browser-stand-in.ts';

const issuer = process.env.TEST_OIDC_ISSUER;
const url = process.argv[2];
if (!issuer || !url) {
  process.stderr.write('usage: TEST_OIDC_ISSUER=<issuer> browser-stand-in-cli.ts <url>\n');
  process.exit(2);
}
const run = await visitAsBrowser(url, { issuer });
process.exit(run.callbackStatus === 200 ? 0 : 1);
