import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Where global-setup.ts writes the browser bundle of the fake bridge. */
export const FAKE_BRIDGE_BUNDLE = join(ROOT, 'test-results', 'e2e-web-fake', 'fake-bridge.js');
