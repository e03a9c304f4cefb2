// Runs @doyensec/electronegativity without the network. It fetches translations and Electron's release list
// with `got`; offline, got's retry throws from a timer on Node 24 ("The onCancel handler was attached after
// the promise settled") and kills the run. Here both fetches fail at once, as they would offline anyway,
// and the bundled English texts are used. Arguments are the tool's own (`-i DIR -o report.csv ...`).
import Module, { createRequire } from 'node:module';

const offline = () => Promise.reject(new Error('offline: electronegativity runs without network here'));
const originalLoad = Module._load;
Module._load = function loadWithoutNetwork(request, parent, isMain) {
  if (request === 'got') return Object.assign(offline, { get: offline, extend: () => offline });
  return originalLoad.call(this, request, parent, isMain);
};

const load = createRequire(import.meta.url);
load('@doyensec/electronegativity/dist/index.js');
