'use strict';
/*
 * Preloaded (`node --require`) into every compute server. Amplify Hosting's deployment specification has compute
 * resources listen on port 3000, each in a machine of its own; here many servers share one host, so each gets a
 * free port in PORT. Servers that read PORT (Next.js) use it; those that hard-code 3000 (Nitro's aws-amplify
 * preset) are moved to it by this file: a listen on 3000 becomes a listen on PORT at 127.0.0.1, so no server is
 * reachable from other machines and no two collide. Every other listen is left as it is.
 */
const net = require('node:net');

const SPEC_PORT = 3000;
const assigned = Number(process.env.PORT);

if (Number.isInteger(assigned) && assigned > 0 && assigned !== SPEC_PORT) {
  const listen = net.Server.prototype.listen;
  const isSpecPort = (value) => (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) && Number(value) === SPEC_PORT;
  net.Server.prototype.listen = function listenOnAssignedPort(...args) {
    const [first] = args;
    if (first !== null && typeof first === 'object' && !Array.isArray(first) && isSpecPort(first.port)) {
      args[0] = { ...first, port: assigned, host: '127.0.0.1' };
    } else if (isSpecPort(first)) {
      args[0] = assigned;
      if (typeof args[1] === 'string') args[1] = '127.0.0.1';
      else args.splice(1, 0, '127.0.0.1');
    }
    return listen.apply(this, args);
  };
}
