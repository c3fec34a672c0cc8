// Preloaded into every Node process of hosting builds and workflow actions (`NODE_OPTIONS=--require <this file>`;
// ampx-handover.ts copies it to `<tools prefix>/gantry/` and says why). When the process's main script is the
// bin of the real `@aws-amplify/backend-cli` (`<…>/@aws-amplify/backend-cli/lib/ampx.js`, reached through
// `node_modules/.bin/ampx`, `npx`, `npm exec`, `npm run`, yarn or pnpm), Node runs Gantry's ampx
// (`<tools prefix>/bin/ampx`) in its place, in this same process, with the same arguments. Every other process
// pays one regular expression test on its main script's name.
//
// How: Node's main-thread start-up loads `--require` preloads and then calls `Module.runMain(mainEntry)`, looked
// up on the module object at that moment (kept so preloads can replace it, as this one does). The replacement
// runs once: it restores Node's own runMain and hands it Gantry's ampx instead of the real bin.
//
// It never breaks a process: anything unexpected (Gantry's ampx missing, a Node without runMain) leaves the
// process as it was, with one warning line on stderr when it was the real bin that now runs.
'use strict';

(function handOver() {
  const main = process.argv[1];
  // The cheap test every node process pays: a main script named like one of the real package's bins.
  if (typeof main !== 'string' || !/(?:^|[\\/])(?:ampx|amplify)(?:\.js)?$/.test(main)) return;
  const fs = require('fs');
  const path = require('path');
  let real = main;
  try {
    real = fs.realpathSync(main);
  } catch (error) {
    // As named (a virtual path of Yarn's PnP, say).
  }
  if (!/[\\/]@aws-amplify[\\/]backend-cli[\\/]lib[\\/]ampx\.js$/.test(real)) return;
  try {
    const ampx = fs.realpathSync(path.join(__dirname, '..', 'bin', 'ampx'));
    const Module = require('module');
    const runMain = Module.runMain;
    if (typeof runMain !== 'function') throw new Error('this Node has no Module.runMain to hand over with');
    Module.runMain = function runGantryAmpx() {
      Module.runMain = runMain;
      process.argv[1] = ampx;
      const args = Array.prototype.slice.call(arguments);
      args[0] = ampx;
      return runMain.apply(this, args);
    };
  } catch (error) {
    const why = error && error.message ? error.message : String(error);
    process.stderr.write(`gantry: warning: running the app's own @aws-amplify/backend-cli (${real}), not Gantry's ampx: ${why.replace(/\s+/g, ' ')}\n`);
  }
})();
