// No accepted message is lost when delivery-service dies (ARCHITECTURE.md invariant 2; the delivery-service issue's
// "Done when"): SDK agents are connected over their direct nodes, a sender posts a burst to #general, delivery-service
// is killed with SIGKILL right after a post returns (its event is committed, its delivery rows are being created and
// dispatched), more messages are posted while it is down, it is restarted from its packaged jar, and every recipient
// must then have every message, at least once, in the order they were posted.
// Usage: node --experimental-websocket crash-restart.mjs <base url> <launcher state dir>
//   The launcher's environment (RELAY_STATE_DIR and the RELAY_*_PORT settings of the stack) must be exported: the
//   script restarts the service with `../relay restart delivery-service`.
// Prints "crash-restart: <name> ok" or "crash-restart: <name> FAILED: <reason>", then "N passed, M failed".
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { RelayCast } from '@relaycast/sdk';
import { check, report, until } from './harness.mjs';

const [baseUrl, stateDir] = process.argv.slice(2);
if (!baseUrl || !stateDir) {
  console.error('usage: node --experimental-websocket crash-restart.mjs <base url> <launcher state dir>');
  process.exit(2);
}
const launcher = fileURLToPath(new URL('../relay', import.meta.url));
const { scenario, finish } = report('crash-restart');
const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const RECIPIENTS = 3;
const BEFORE_KILL = 15; // posted while delivery-service runs; it is killed right after the last of them returns
const WHILE_DOWN = 10; // posted while it is dead
// Reconnect quickly and never give up while the service restarts (SDK defaults: 1 s doubling to 30 s, 30 attempts).
const ws = { reconnectBaseDelayMs: 200, reconnectMaxDelayMs: 1000, reconnectJitter: false, circuitBreakerMaxAttempts: 1000 };

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const pidFile = join(stateDir, 'pids', 'delivery-service.pid');
const deliveryPid = () => Number(readFileSync(pidFile, 'utf8').trim());

// A recipient: an AgentClient on its direct node, recording the texts of the channel messages it is given.
async function recipient(relay, name) {
  const { token } = await relay.agents.register({ name });
  const client = relay.as(token, { ws });
  const state = { name, client, texts: [], opens: 0 };
  client.connect(); // handlers can be added only once connect() has created the socket client
  client.on.connected(() => { state.opens += 1; });
  client.on.any((event) => {
    if (event.type === 'message.created' && event.message?.text?.startsWith(run)) state.texts.push(event.message.text);
  });
  await until(() => state.opens > 0, `${name}'s socket to open`, 10000);
  return state;
}

const startedAt = Date.now();
const created = await RelayCast.createWorkspace(`crash-${run}`, { baseUrl });
const relay = new RelayCast({ apiKey: created.apiKey, baseUrl });
const sender = relay.as((await relay.agents.register({ name: 'sender' })).token);
const recipients = [];
for (let i = 1; i <= RECIPIENTS; i += 1) recipients.push(await recipient(relay, `r${i}`));
await new Promise((resolve) => setTimeout(resolve, 300)); // node.register replies and (empty) replays

const posted = [];
const post = async (i) => {
  const text = `${run} m${String(i).padStart(3, '0')}`;
  await sender.send('#general', text);
  posted.push(text);
};
const firstOccurrences = (texts) => [...new Set(texts)];

let killedPid;
let undeliveredAtKill = 0;
let restartedPid;
await scenario('delivery-service is killed mid-burst, messages are posted while it is down, and it restarts', async () => {
  killedPid = deliveryPid();
  check(alive(killedPid), `delivery-service (pid ${killedPid} from ${pidFile}) is not running`);
  for (let i = 1; i <= BEFORE_KILL; i += 1) await post(i);
  process.kill(killedPid, 'SIGKILL');
  const counts = recipients.map((r) => new Set(r.texts).size);
  undeliveredAtKill = recipients.reduce((sum, r, i) => sum + (BEFORE_KILL - counts[i]), 0);
  await until(() => !alive(killedPid), `pid ${killedPid} to die`, 5000);
  for (let i = BEFORE_KILL + 1; i <= BEFORE_KILL + WHILE_DOWN; i += 1) await post(i);
  console.log(`crash-restart: killed pid ${killedPid} with ${undeliveredAtKill} of ${BEFORE_KILL * RECIPIENTS} ` +
    `deliveries not yet received; posted ${WHILE_DOWN} more while it was down`);
  await promisify(execFile)(launcher, ['restart', 'delivery-service'], { env: { ...process.env, RELAY_STATE_DIR: stateDir } })
    .catch((err) => {
      throw new Error(`./relay restart delivery-service failed: ${String(err.stderr || err.message).trim().split('\n').slice(-3).join(' | ')}`);
    });
  restartedPid = deliveryPid();
  check(restartedPid !== killedPid && alive(restartedPid), `no new delivery-service process (pid ${restartedPid})`);
});

await scenario('the kill caught deliveries in flight', async () => {
  // Without this the test would prove nothing about a crash between creating rows and dispatching them.
  check(undeliveredAtKill > 0, 'every delivery had already arrived when the service was killed');
});

await scenario('every recipient reconnects and gets every message at least once, in the order posted', async () => {
  const complete = (r) => posted.every((text) => r.texts.includes(text));
  await until(() => recipients.every(complete), 'every recipient to have every message', 30000);
  for (const r of recipients) {
    check(r.opens >= 2, `${r.name}'s socket opened ${r.opens} time(s); the kill should have dropped it`);
    const order = firstOccurrences(r.texts);
    check(JSON.stringify(order) === JSON.stringify(posted),
      `${r.name} received ${order.map((t) => t.slice(run.length + 1)).join(',')}`);
  }
  const extra = recipients.map((r) => r.texts.length - posted.length);
  console.log(`crash-restart: ${posted.length} messages to ${RECIPIENTS} recipients; repeats seen by the apps: ` +
    `${extra.join(', ')}; ${Date.now() - startedAt} ms in all`);
});

for (const r of recipients) await r.client.disconnect().catch(() => {});
finish();
