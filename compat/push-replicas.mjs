// Two delivery-service processes against the same databases and Redis, both sweeping http_push retries every second
// (issue 7: "no delivery is posted twice by a race of their sweeps"). A receiver here answers 500 to the first POST of
// every delivery and 200 to any later one; 20 agents bound to one http_push node (ack_mode on_2xx, HMAC) get 10
// channel messages. Once the claim's hold (RELAY_DELIVERY_PUSH_RETRY_AFTER, 30 s) has passed, both processes' sweeps
// find the same rows due at once: every delivery must then be POSTed exactly twice (one 500, one 200) and acked, each
// retry claimed by one sweep, and both processes must have won some of them (their `delivery.push_swept` log lines).
// Usage: node --experimental-websocket push-replicas.mjs <base url> <log of delivery-service 1> <log of delivery-service 2>
//   Both processes need RELAY_DELIVERY_PUSH_SWEEP_EVERY=1s and RELAY_DELIVERY_ALLOW_PRIVATE_PUSH_TARGETS=true.
// Prints "push-replicas: <name> ok" or "push-replicas: <name> FAILED: <reason>", then "N passed, M failed".
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { check, report, until } from './harness.mjs';

const [baseUrl, ...logs] = process.argv.slice(2);
if (!baseUrl || logs.length !== 2) {
  console.error('usage: node --experimental-websocket push-replicas.mjs <base url> <delivery-service log 1> <log 2>');
  process.exit(2);
}
const { scenario, finish } = report('push-replicas');
const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const AGENTS = 20;
const MESSAGES = 10;
const SPACING_MS = 200; // messages spread over ~2 s, so rows fall due across several sweeps of both processes
const HOLD_MS = 30_000; // the claim's hold before a failed POST is due again (RELAY_DELIVERY_PUSH_RETRY_AFTER)
const secret = randomBytes(24).toString('hex');
const startedAt = Date.now();
const logStarts = logs.map((file) => statSync(file).size);

// The receiver: every POST of a delivery recorded with its answer; the first of each id fails.
const posts = new Map(); // delivery id -> [{ status, at }]
let badSignatures = 0;
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const expected = `sha256=${createHmac('sha256', secret).update(`${req.headers['x-relaycast-timestamp']}.${body}`).digest('hex')}`;
    const given = String(req.headers['x-relaycast-signature'] ?? '');
    if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) badSignatures += 1;
    const id = req.headers['x-relaycast-delivery'];
    let status = 200;
    if (id) { // events without a delivery id (reactions, receipts) are best effort and not counted
      const seen = posts.get(id) ?? [];
      status = seen.length === 0 ? 500 : 200;
      seen.push({ status, at: Date.now() });
      posts.set(id, seen);
    }
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(status === 200 ? '{"ok":true}' : '{"ok":false}');
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${server.address().port}/hook`;

async function call(method, path, token, body, expected) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  check(response.status === expected, `${method} ${path} answered ${response.status} ${text.slice(0, 300)}`);
  const json = JSON.parse(text);
  return json.data ?? json;
}

// Log lines appended since the start: `delivery.push_swept delivery=<id> attempt=<n> replica=<r> outcome=<o>`.
function sweptLines(file, from) {
  const length = statSync(file).size - from;
  const buffer = Buffer.alloc(Math.max(length, 0));
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, from);
  } finally {
    closeSync(fd);
  }
  const pattern = /delivery\.push_swept delivery=(\S+) attempt=(\d+) replica=(\S+) outcome=(\w+)/g;
  return [...buffer.toString('utf8').matchAll(pattern)]
    .map(([, id, attempt, replica, outcome]) => ({ id, attempt: Number(attempt), replica, outcome }));
}

const ids = new Set();
const agents = [];
let firstPostsDoneAt = 0;

await scenario(`${AGENTS} agents on an http_push node get ${MESSAGES} channel messages; every first POST fails`, async () => {
  const workspace = await call('POST', '/v1/workspaces', undefined, { name: `push-replicas-${run}` }, 201);
  const key = workspace.api_key;
  await call('POST', '/v1/nodes', key, { name: 'hook', kind: 'http_push', role: 'broker', max_agents: 0,
    delivery: { url: receiverUrl, ack_mode: 'on_2xx', auth: { type: 'hmac_sha256', secret } } }, 201);
  const sender = await call('POST', '/v1/agents', key, { name: 'sender' }, 201);
  for (let i = 1; i <= AGENTS; i += 1) {
    const agent = await call('POST', '/v1/agents', key, { name: `pushed-${i}` }, 201);
    await call('POST', '/v1/nodes/hook/agents', key, { agent_name: agent.name }, 201);
    agents.push(agent);
  }
  for (let m = 1; m <= MESSAGES; m += 1) {
    const message = await call('POST', '/v1/channels/general/messages', sender.token, { text: `${run} m${m}` }, 201);
    agents.forEach((agent) => ids.add(`del_${message.id}_${agent.id}`));
    await new Promise((resolve) => setTimeout(resolve, SPACING_MS));
  }
  await until(() => [...ids].every((id) => posts.has(id)), `a first POST of each of the ${ids.size} deliveries`, 10_000);
  firstPostsDoneAt = Date.now();
  const strays = [...posts.keys()].filter((id) => !ids.has(id));
  check(strays.length === 0, `POSTs of deliveries not sent here: ${strays.slice(0, 5).join(', ')}`);
  check(badSignatures === 0, `${badSignatures} POST(s) with a wrong HMAC signature`);
});

await scenario('after the hold every delivery is POSTed again once, answered 200 and acked', async () => {
  check(firstPostsDoneAt > 0, 'the deliveries were never POSTed');
  await until(() => [...ids].every((id) => posts.get(id).some((p) => p.status === 200)),
    'a successful retry of every delivery', HOLD_MS + 15_000, 100);
  for (const agent of agents) {
    // The receiver sees the 200 before delivery-service has read it and written the ack: give the ack a moment.
    const ackDeadline = Date.now() + 5_000;
    let mine;
    for (;;) {
      const acked = await call('GET', '/v1/deliveries?status=acked&limit=200', agent.token, undefined, 200);
      mine = acked.filter((row) => ids.has(row.id));
      if (mine.length === MESSAGES || Date.now() > ackDeadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    check(mine.length === MESSAGES, `${agent.name} has ${mine.length} acked deliveries, not ${MESSAGES}`);
    check(mine.every((row) => row.dispatch_attempts === 2),
      `${agent.name}'s dispatch_attempts: ${mine.map((row) => row.dispatch_attempts).join(',')}`);
  }
});

await scenario('no delivery was POSTed twice by the two processes\' racing sweeps', async () => {
  check(ids.size === AGENTS * MESSAGES, `${ids.size} deliveries sent, not ${AGENTS * MESSAGES}`);
  await new Promise((resolve) => setTimeout(resolve, 2500)); // two more sweeps of each process: nothing may follow
  const wrong = [...ids].filter((id) => {
    const seen = posts.get(id) ?? [];
    return seen.length !== 2 || seen[0].status !== 500 || seen[1].status !== 200;
  });
  check(wrong.length === 0, `${wrong.length} of ${ids.size} deliveries not POSTed exactly twice (500 then 200), e.g. ` +
    wrong.slice(0, 3).map((id) => `${id}: ${(posts.get(id) ?? []).map((p) => p.status).join(',') || 'none'}`).join('; '));
  const gaps = [...ids].map((id) => posts.get(id)[1].at - posts.get(id)[0].at);
  console.log(`push-replicas: ${ids.size} deliveries, retried ${Math.min(...gaps)}..${Math.max(...gaps)} ms after ` +
    'their first POST');
});

await scenario('both processes swept: each POSTed some retries, and no retry was claimed twice', async () => {
  const lines = logs.map((file, i) => sweptLines(file, logStarts[i]).filter((line) => ids.has(line.id)));
  const replicas = lines.map((mine) => [...new Set(mine.map((line) => line.replica))]);
  lines.forEach((mine, i) => check(mine.length > 0, `no delivery.push_swept line for these deliveries in ${logs[i]}`));
  check(replicas.every((r) => r.length === 1) && replicas[0][0] !== replicas[1][0],
    `replica ids in the two logs: ${JSON.stringify(replicas)} (each process needs its own RELAY_REPLICA_ID)`);
  const retries = lines.flat().filter((line) => line.attempt === 2);
  const byId = new Map();
  retries.forEach((line) => byId.set(line.id, (byId.get(line.id) ?? 0) + 1));
  const missing = [...ids].filter((id) => byId.get(id) !== 1);
  check(missing.length === 0, `${missing.length} deliveries whose retry was not swept exactly once, e.g. ` +
    missing.slice(0, 3).map((id) => `${id}: ${byId.get(id) ?? 0}`).join('; '));
  check(retries.every((line) => line.outcome === 'SETTLED'), 'a swept retry did not settle');
  const shares = lines.map((mine) => mine.filter((line) => line.attempt === 2).length);
  check(shares.every((n) => n > 0), `retries swept per process: ${shares.join(' and ')}`);
  console.log(`push-replicas: retries swept by ${replicas[0][0]}: ${shares[0]}, by ${replicas[1][0]}: ${shares[1]}; ` +
    `first POSTs won by a sweep: ${lines.flat().filter((line) => line.attempt === 1).length}; ` +
    `${Date.now() - startedAt} ms in all`);
});

server.close();
finish();
