// Two observer-gateway replicas in front of one engine (ARCHITECTURE.md, "Past one machine"): an event written through
// either reaches observer sockets on both, in the same seq order, and a revocation closes the token's sockets on both
// within a second, with the close code and reason of the catalogue.
// Usage: node --experimental-websocket replicas.mjs <base url of replica 1> <base url of replica 2>
// Prints "replicas: <name> ok" or "replicas: <name> FAILED: <reason>", then "N passed, M failed".
import { RelayCast } from '@relaycast/sdk';
import { check, report, until } from './harness.mjs';

const [first, second] = process.argv.slice(2);
const { scenario, finish } = report('replicas');
const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

async function stream(base, token) {
  const frames = [];
  const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/v1/ws?token=${encodeURIComponent(token)}`);
  const state = { open: false, closed: null, frames, socket };
  socket.onopen = () => { state.open = true; };
  socket.onmessage = (message) => frames.push(JSON.parse(String(message.data)));
  socket.onclose = (event) => { state.closed = { code: event.code, reason: event.reason, at: Date.now() }; };
  await until(() => state.open, `a socket on ${base}/v1/ws to open`, 5000);
  return state;
}

const created = await RelayCast.createWorkspace(`replicas-${run}`, { baseUrl: first });
const relay = new RelayCast({ apiKey: created.apiKey, baseUrl: first });
const alice = relay.as((await relay.agents.register({ name: 'alice' })).token);
const observer = await relay.observerTokens.create({ name: 'both-replicas', scopes: ['stream:read', 'messages:read'] });
const one = await stream(first, observer.token);
const two = await stream(second, observer.token);

await scenario('an event reaches observers on both replicas, with the same seq', async () => {
  const posted = await alice.send('#general', 'to every replica');
  const has = (s) => s.frames.find((f) => f.type === 'message.created' && f.message?.id === posted.id);
  await until(() => has(one) && has(two), 'message.created on both replicas', 3000);
  check(typeof has(one).seq === 'number' && has(one).seq === has(two).seq,
    `seq ${has(one).seq} on the first replica, ${has(two).seq} on the second`);
});

await scenario('a revocation closes the token\'s sockets on both replicas within a second, naming it', async () => {
  const revokedAt = Date.now();
  await relay.observerTokens.revoke(observer.id);
  await until(() => one.closed && two.closed, 'both sockets to close', 1000);
  for (const [label, s] of [['first', one], ['second', two]]) {
    check(s.closed.code === 1008 && s.closed.reason === 'observer_token_revoked',
      `the ${label} replica closed with ${s.closed.code} "${s.closed.reason}"`);
  }
  console.log(`replicas: revocation-to-close ${one.closed.at - revokedAt} ms and ${two.closed.at - revokedAt} ms`);
});

finish();
