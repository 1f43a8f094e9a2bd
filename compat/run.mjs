// Drives a running engine with the unmodified @relaycast/sdk 6.0.2 and checks what the other side sees.
// Usage: RELAY_BASE_URL=http://127.0.0.1:18787 node --experimental-websocket run.mjs (Node 20; 22+ has WebSocket built in)   (./relay test runs it against its own stack)
// Prints "compat: <name> ok" or "compat: <name> FAILED: <reason>" per scenario, then "N passed, M failed".
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RelayCast } from '@relaycast/sdk';

const baseUrl = process.env.RELAY_BASE_URL ?? 'http://127.0.0.1:8787';
const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const scenarios = [];
// COMPAT_ONLY=<text> runs only the scenarios whose name contains it (while working on one).
const scenario = (name, body) => {
  if (!process.env.COMPAT_ONLY || name.includes(process.env.COMPAT_ONLY)) scenarios.push({ name, body });
};

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function refusal(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a refusal, but the call succeeded');
}

async function newWorkspace(label) {
  const name = `compat-${label}-${run}`;
  const created = await RelayCast.createWorkspace(name, { baseUrl });
  return { name, ...created, relay: new RelayCast({ apiKey: created.apiKey, baseUrl }) };
}

scenario('workspace bootstrap: create, look up by name, ensure', async () => {
  const ws = await newWorkspace('bootstrap');
  check(/^rk_live_[0-9a-f]{32}$/.test(ws.apiKey), `api key has the wrong shape: ${ws.apiKey}`);
  const found = await RelayCast.lookupWorkspace(ws.name, { baseUrl });
  check(found && found.id === ws.workspaceId, `lookup found ${JSON.stringify(found)}, expected ${ws.workspaceId}`);
  check((await RelayCast.lookupWorkspace(`missing-${run}`, { baseUrl })) === null, 'unknown name should be null');
  const ensured = await RelayCast.ensureWorkspace(ws.name, { baseUrl, apiKey: ws.apiKey });
  check(ensured.existed === true && ensured.workspaceId === ws.workspaceId,
    `ensureWorkspace with the key should find it: ${JSON.stringify(ensured)}`);
  const info = await ws.relay.workspace.info();
  check(info.name === ws.name && info.id === ws.workspaceId, `workspace.info: ${JSON.stringify(info)}`);
});

scenario('register agents: tokens, roster, general channel', async () => {
  const ws = await newWorkspace('agents');
  const alice = await ws.relay.agents.register({ name: 'alice', type: 'agent' });
  check(/^at_live_[0-9a-f]{32}$/.test(alice.token), `agent token has the wrong shape: ${alice.token}`);
  await ws.relay.agents.register({ name: 'bob' });
  const roster = (await ws.relay.agents.list()).map((a) => a.name).sort();
  check(JSON.stringify(roster) === '["alice","bob"]', `roster: ${roster}`);
  const detail = await ws.relay.agents.get('alice');
  check(detail.channels.some((c) => c.name === 'general'), `alice is not in general: ${JSON.stringify(detail)}`);
  const conflict = await refusal(ws.relay.agents.register({ name: 'alice' }));
  check(conflict.code === 'name_conflict', `duplicate name should be a name_conflict, got ${conflict.code}`);
});

scenario('registerOrRotate on an existing name rotates the token', async () => {
  const ws = await newWorkspace('rotate');
  const first = await ws.relay.agents.register({ name: 'worker' });
  const again = await ws.relay.registerOrRotate({ name: 'worker' });
  check(again.id === first.id && again.token !== first.token, `expected a new token for the same agent`);
  const me = await ws.relay.reconnect({ apiToken: again.token });
  check((await me.me()).name === 'worker', 'the rotated token should act as worker');
  const refused = await refusal(ws.relay.reconnect({ apiToken: first.token }));
  check(refused.code === 'agent_token_invalid' && /rotated/.test(refused.message),
    `the old token should be refused as rotated, got ${refused.code}: ${refused.message}`);
});

scenario('reconnect with a saved agent token', async () => {
  const ws = await newWorkspace('reconnect');
  const { token } = await ws.relay.agents.register({ name: 'saved' });
  const later = new RelayCast({ apiKey: ws.apiKey, baseUrl });
  const agent = await later.reconnect({ apiToken: token });
  const me = await agent.me();
  check(me.name === 'saved' && me.workspaceId === ws.workspaceId, `me(): ${JSON.stringify(me)}`);
});

scenario('refusals name their real reason', async () => {
  const ws = await newWorkspace('refusals');
  const unknown = await refusal(ws.relay.reconnect({ apiToken: `at_live_${'0'.repeat(32)}` }));
  check(unknown.code === 'agent_token_invalid', `unknown token: ${unknown.code} ${unknown.message}`);
  const wrongKey = new RelayCast({ apiKey: `rk_live_${'0'.repeat(32)}`, baseUrl });
  const badKey = await refusal(wrongKey.agents.list());
  check(badKey.code === 'unauthorized' && /not recognised/.test(badKey.message),
    `unknown workspace key: ${badKey.code} ${badKey.message}`);
  await ws.relay.agents.register({ name: 'gone' });
  await ws.relay.agents.delete('gone');
  const deleted = await refusal(ws.relay.agents.get('gone'));
  check(deleted.code === 'not_found', `deleted agent: ${deleted.code}`);
});

scenario('channels: create, join, invite, mute, topic, archive', async () => {
  const ws = await newWorkspace('channels');
  const alice = ws.relay.as((await ws.relay.agents.register({ name: 'alice' })).token);
  const bob = ws.relay.as((await ws.relay.agents.register({ name: 'bob' })).token);
  await ws.relay.agents.register({ name: 'carol' });
  const created = await alice.channels.create({ name: 'design', topic: 'Shapes' });
  check(created.name === 'design' && created.memberCount === 1, `create: ${JSON.stringify(created)}`);
  const joined = await bob.channels.join('design');
  check(joined.alreadyMember === false, `join: ${JSON.stringify(joined)}`);
  await alice.channels.invite('design', 'carol');
  const members = (await ws.relay.channels.get('design')).members.map((m) => `${m.agentName}:${m.role}`).sort();
  check(JSON.stringify(members) === '["alice:owner","bob:member","carol:member"]', `members: ${members}`);
  await bob.channels.mute('design');
  const muted = (await alice.channels.members('design')).find((m) => m.agentName === 'bob');
  check(muted.isMuted === true, `bob should be muted: ${JSON.stringify(muted)}`);
  const topic = await alice.channels.setTopic('design', 'Colours');
  check(topic.topic === 'Colours', `topic: ${JSON.stringify(topic)}`);
  const badName = await refusal(alice.channels.create({ name: 'Not Valid' }));
  check(/Invalid channel name/.test(badName.message), `bad name: ${badName.code} ${badName.message}`);
  const general = await refusal(alice.channels.archive('general'));
  check(/general channel cannot be archived/.test(general.message), `general: ${general.message}`);
  await alice.channels.archive('design');
  const listed = (await ws.relay.channels.list()).map((c) => c.name);
  check(!listed.includes('design') && listed.includes('general'), `archived channel listed: ${listed}`);
  await bob.channels.leave('general');
  const generalMembers = (await ws.relay.channels.get('general')).members.map((m) => m.agentName).sort();
  check(JSON.stringify(generalMembers) === '["alice","carol"]', `general after bob left: ${generalMembers}`);
});

scenario('messages and threads, and an observer backfilling exactly what its filters allow', async () => {
  const ws = await newWorkspace('messages');
  const alice = ws.relay.as((await ws.relay.agents.register({ name: 'alice' })).token);
  const bob = ws.relay.as((await ws.relay.agents.register({ name: 'bob' })).token);
  await alice.channels.create({ name: 'ops' });
  const first = await alice.send('#general', 'hello @bob');
  check(first.text === 'hello @bob' && JSON.stringify(first.mentions) === '["bob"]', `send: ${JSON.stringify(first)}`);
  await alice.send('#ops', 'ops only');
  const reply = await bob.reply(first.id, 'hi alice');
  check(reply.threadId === first.id, `reply: ${JSON.stringify(reply)}`);
  const history = await bob.messages('general');
  check(history.length === 1 && history[0].id === first.id && history[0].replyCount === 1,
    `history: ${JSON.stringify(history)}`);
  const thread = await alice.thread(first.id);
  check(thread.parent.id === first.id && thread.replies.map((r) => r.text).join() === 'hi alice',
    `thread: ${JSON.stringify(thread)}`);
  const observer = await ws.relay.observerTokens.create({ name: 'general-only',
    scopes: ['stream:read', 'messages:read', 'threads:read'], filters: { channelNames: ['general'] } });
  const response = await fetch(`${baseUrl}/v1/workspace/events?since=0`,
    { headers: { Authorization: `Bearer ${observer.token}` } });
  const { data } = await response.json();
  const seen = data.events.map((e) => `${e.type}:${e.payload.channel}`);
  check(JSON.stringify(seen) === '["message.created:general","thread.reply:general"]',
    `observer saw ${JSON.stringify(seen)}`);
  check(data.events.every((e, i, all) => i === 0 || e.seq > all[i - 1].seq), 'events out of seq order');
  const hidden = await fetch(`${baseUrl}/v1/channels/ops/messages`, { headers: { Authorization: `Bearer ${observer.token}` } });
  check(hidden.status === 404, `a filtered-out channel must be 404 to the observer, got ${hidden.status}`);
});

// Waits until `predicate()` holds, polling every 50 ms; fails with `what` after `ms`.
async function until(predicate, what, ms = 10000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// An AgentClient connected over its implicit direct node (/v1/node/ws), recording what it receives.
async function connected(client) {
  const seen = [];
  let open = false;
  client.connect(); // handlers can be added only once connect() has created the socket client
  client.on.any((event) => seen.push(event));
  client.on.connected(() => { open = true; });
  await until(() => open, 'the agent socket to open');
  await new Promise((resolve) => setTimeout(resolve, 300)); // node.register reply and replay
  return seen;
}

scenario('quick start: two agents, a channel, a live subscriber, a send, a DM, a disconnect', async () => {
  const ws = await newWorkspace('quickstart');
  const alice = ws.relay.as((await ws.relay.agents.register({ name: 'alice' })).token);
  const bob = ws.relay.as((await ws.relay.agents.register({ name: 'bob' })).token);
  await alice.channels.create({ name: 'launch', topic: 'Go time' });
  await bob.channels.join('launch');
  const seen = await connected(bob);
  try {
    const sent = await alice.send('#launch', 'we ship at noon');
    await until(() => seen.some((e) => e.type === 'message.created' && e.message?.id === sent.id),
      'bob to receive the channel message');
    const dm = await alice.dm('bob', 'bring snacks');
    await until(() => seen.some((e) => e.type === 'dm.received' && e.message?.id === dm.message?.id),
      'bob to receive the DM');
  } finally {
    await bob.disconnect();
  }
  const presence = (await ws.relay.agents.presence()).find((p) => p.agentName === 'bob');
  check(presence?.status === 'offline', `after disconnect bob is ${JSON.stringify(presence)}`);
});

scenario('realtime: a connected agent receives channel messages and thread replies as they are posted', async () => {
  const ws = await newWorkspace('realtime');
  const alice = ws.relay.as((await ws.relay.agents.register({ name: 'alice' })).token);
  const bob = ws.relay.as((await ws.relay.agents.register({ name: 'bob' })).token);
  const seen = await connected(bob);
  try {
    const posted = await alice.send('#general', 'live hello @bob');
    await until(() => seen.some((e) => e.type === 'message.created'), 'bob to receive message.created');
    const created = seen.find((e) => e.type === 'message.created');
    check(created.message?.text === 'live hello @bob' && created.message?.id === posted.id,
      `bob received ${JSON.stringify(created)}`);
    await alice.reply(posted.id, 'in the thread');
    await until(() => seen.some((e) => e.type === 'thread.reply'), 'bob to receive thread.reply');
    const reply = seen.find((e) => e.type === 'thread.reply');
    check(JSON.stringify(reply).includes('in the thread'), `bob received ${JSON.stringify(reply)}`);
  } finally {
    await bob.disconnect();
  }
});

scenario('an agent that was offline receives what it missed after reconnecting, in order', async () => {
  const ws = await newWorkspace('replay');
  const alice = ws.relay.as((await ws.relay.agents.register({ name: 'alice' })).token);
  const bobToken = (await ws.relay.agents.register({ name: 'bob' })).token;
  const first = ws.relay.as(bobToken);
  const live = await connected(first);
  await alice.send('#general', 'one');
  await until(() => live.some((e) => e.type === 'message.created'), 'the first message live');
  await first.disconnect();
  await alice.send('#general', 'two');
  await alice.send('#general', 'three');
  const again = ws.relay.as(bobToken);
  const seen = await connected(again);
  try {
    await until(() => seen.filter((e) => e.type === 'message.created').length >= 2, 'the two missed messages');
    const texts = seen.filter((e) => e.type === 'message.created').map((e) => e.message?.text);
    check(JSON.stringify(texts) === '["two","three"]', `after reconnecting bob received ${JSON.stringify(texts)}`);
  } finally {
    await again.disconnect();
  }
});

scenario('reactions and read receipts reach the author as events; reactions read back grouped', async () => {
  const ws = await newWorkspace('receipts');
  const alice = ws.relay.as((await ws.relay.agents.register({ name: 'alice' })).token);
  const bob = ws.relay.as((await ws.relay.agents.register({ name: 'bob' })).token);
  const seen = await connected(alice);
  try {
    const posted = await alice.send('#general', 'release is out');
    await bob.react(posted.id, 'rocket');
    await until(() => seen.some((e) => e.type === 'message.reacted'), 'alice to hear of the reaction');
    const reacted = seen.find((e) => e.type === 'message.reacted');
    check(reacted.messageId === posted.id && reacted.emoji === 'rocket' && reacted.agentName === 'bob'
      && reacted.action === 'added', `alice received ${JSON.stringify(reacted)}`);
    const groups = await bob.reactions(posted.id);
    check(JSON.stringify(groups) === '[{"emoji":"rocket","count":1,"agents":["bob"]}]',
      `reactions: ${JSON.stringify(groups)}`);
    await bob.markRead(posted.id);
    await until(() => seen.some((e) => e.type === 'message.read'), 'alice to hear of the read');
    const readers = await alice.readers(posted.id);
    check(readers.length === 1 && readers[0].agentName === 'bob', `readers: ${JSON.stringify(readers)}`);
    await bob.unreact(posted.id, 'rocket');
    await until(() => seen.some((e) => e.type === 'message.reacted' && e.action === 'removed'),
      'alice to hear the reaction removed');
  } finally {
    await alice.disconnect();
  }
});

scenario('direct and group messages reach the recipients live, and read back as conversations', async () => {
  const ws = await newWorkspace('dms');
  const alice = ws.relay.as((await ws.relay.agents.register({ name: 'alice' })).token);
  const bob = ws.relay.as((await ws.relay.agents.register({ name: 'bob' })).token);
  const cyd = ws.relay.as((await ws.relay.agents.register({ name: 'cyd' })).token);
  const seen = await connected(bob);
  try {
    const sent = await alice.dm('bob', 'psst, bob');
    await until(() => seen.some((e) => e.type === 'dm.received'), 'bob to receive the DM');
    const dm = seen.find((e) => e.type === 'dm.received');
    check(dm.conversationId === sent.conversationId && dm.message?.text === 'psst, bob',
      `bob received ${JSON.stringify(dm)}`);
    const again = await bob.dm('alice', 'hi alice');
    check(again.conversationId === sent.conversationId, 'the same pair must land in the same conversation');
    const conversations = await alice.dms.conversations();
    check(conversations.length === 1 && conversations[0].lastMessage?.text === 'hi alice',
      `alice's conversations: ${JSON.stringify(conversations)}`);
    const group = await alice.dms.createGroup({ participants: ['bob', 'cyd'], name: 'trio' });
    await cyd.dms.sendMessage(group.id, 'hello trio');
    await until(() => seen.some((e) => e.type === 'group_dm.received'), 'bob to receive the group message');
    const history = await alice.dms.messages(group.id);
    check(history.length === 1 && history[0].text === 'hello trio', `group history: ${JSON.stringify(history)}`);
  } finally {
    await bob.disconnect();
  }
});

scenario('presence: a connected AgentClient is online, and offline once it disconnects', async () => {
  const ws = await newWorkspace('presence');
  await ws.relay.agents.register({ name: 'alice' });
  const bob = ws.relay.as((await ws.relay.agents.register({ name: 'bob' })).token);
  await connected(bob);
  const status = async (name) => (await ws.relay.agents.presence()).find((p) => p.agentName === name)?.status;
  let online = await status('bob');
  try {
    check(online === 'online', `bob connected but presence says ${online}`);
    check((await status('alice')) === 'offline', 'alice never connected but is not offline');
  } finally {
    await bob.disconnect();
  }
  online = await status('bob');
  check(online === 'offline', `bob disconnected but presence says ${online}`);
});

scenario('context updates: a connected agent hears a member join its channel and another agent go online and offline',
  async () => {
    const ws = await newWorkspace('context');
    const alice = ws.relay.as((await ws.relay.agents.register({ name: 'alice' })).token);
    const bob = ws.relay.as((await ws.relay.agents.register({ name: 'bob' })).token);
    const carol = ws.relay.as((await ws.relay.agents.register({ name: 'carol' })).token);
    const seen = await connected(bob);
    try {
      await bob.channels.create({ name: 'design' });
      await alice.channels.join('design');
      await until(() => seen.some((e) => e.type === 'member.joined'), 'bob to hear alice join #design');
      const joined = seen.find((e) => e.type === 'member.joined');
      check(joined.channel === 'design' && joined.agentName === 'alice', `bob heard ${JSON.stringify(joined)}`);
      await connected(carol);
      await carol.disconnect();
      const heard = (status) => seen.some((e) => e.type === `agent.status.${status}` && e.agentName === 'carol');
      await until(() => heard('active') && heard('offline'), "bob to hear carol's presence");
    } finally {
      await bob.disconnect();
    }
  });

scenario('inbox and search: a mention is unread until read, and search finds it', async () => {
  const ws = await newWorkspace('inbox');
  const alice = ws.relay.as((await ws.relay.agents.register({ name: 'alice' })).token);
  const bob = ws.relay.as((await ws.relay.agents.register({ name: 'bob' })).token);
  const posted = await alice.send('#general', '@bob the nightly deploy finished');
  const inbox = await bob.inbox();
  check(inbox.unreadChannels.some((c) => c.channelName === 'general' && c.unreadCount === 1),
    `bob's unread channels: ${JSON.stringify(inbox.unreadChannels)}`);
  check(inbox.mentions.length === 1 && inbox.mentions[0].id === posted.id, `bob's mentions: ${JSON.stringify(inbox.mentions)}`);
  const hits = await bob.search('nightly deploy');
  check(hits.length === 1 && hits[0].id === posted.id, `search: ${JSON.stringify(hits)}`);
  await bob.markRead(posted.id);
  const after = await bob.inbox();
  check(after.unreadChannels.length === 0 && after.mentions.length === 0, `after reading: ${JSON.stringify(after)}`);
});

// --- the real agent-relay broker (contract broker.md §C.3): one process per "machine", each with its own HOME and
// project directory, telemetry off, talking only to the engine on 127.0.0.1.
const brokerBinary = join(fileURLToPath(new URL('.', import.meta.url)),
  'node_modules/@agent-relay/broker-linux-x64/bin/agent-relay-broker');
const brokers = [];

// A workspace client on the observer stream /v1/ws (RelayCast.connect()), recording what it receives.
async function watching(relay) {
  const seen = [];
  let open = false;
  let closes = 0;
  relay.on.connected(() => { open = true; });
  relay.on.disconnected(() => { closes += 1; });
  // `*` also hears the SDK's own pseudo-events (open, close, error, ...): keep the server's events only
  relay.on.any((event) => { if (event.type?.includes('.')) seen.push(event); });
  relay.connect();
  await until(() => open, 'the workspace stream to open');
  return { seen, closes: () => closes };
}

// A plain WebSocket on /v1/ws, recording the raw frames: the SDK's schema parsing strips `seq` and `created_at`
// from the events it knows before its handlers see them.
async function rawStream(token) {
  const frames = [];
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/ws?token=${encodeURIComponent(token)}`);
  let open = false;
  socket.onopen = () => { open = true; };
  socket.onmessage = (message) => frames.push(JSON.parse(String(message.data)));
  await until(() => open, 'a raw socket on /v1/ws to open');
  return { frames, socket };
}

scenario('observer stream: RelayCast.connect() with the workspace key sees every event in seq order, an observer ' +
  'token only what its scopes and filters allow, and a revoked token is cut off', async () => {
  const ws = await newWorkspace('stream');
  const alice = ws.relay.as((await ws.relay.agents.register({ name: 'alice' })).token);
  const bob = ws.relay.as((await ws.relay.agents.register({ name: 'bob' })).token);
  const observer = await ws.relay.observerTokens.create({ name: 'general-stream',
    scopes: ['stream:read', 'messages:read'], filters: { channelNames: ['general'] } });
  const admin = new RelayCast({ apiKey: ws.apiKey, baseUrl });
  const dashboard = new RelayCast({ apiKey: observer.token, baseUrl });
  const all = await watching(admin);
  const filtered = await watching(dashboard);
  const raw = await rawStream(ws.apiKey);
  try {
    raw.socket.send('{"type":"ping"}');
    await until(() => raw.frames.some((f) => f.type === 'pong'), 'a pong for a ping');
    await alice.channels.create({ name: 'ops' });
    const posted = await alice.send('#general', 'live for observers');
    await alice.send('#ops', 'ops only');
    await until(() => all.seen.some((e) => e.message?.text === 'ops only'), 'the workspace key to see #ops');
    await until(() => raw.frames.some((f) => f.message?.text === 'ops only'), 'the raw socket to see #ops');
    await until(() => filtered.seen.some((e) => e.type === 'message.created'), 'the observer to see #general');
    const created = all.seen.find((e) => e.type === 'message.created');
    check(created.message?.id === posted.id && created.channel === 'general' && created.message?.text ===
      'live for observers', `the workspace key saw ${JSON.stringify(created)}`);
    check(all.seen.some((e) => e.type === 'channel.created'), 'the workspace key saw no channel.created');
    const events = raw.frames.filter((f) => f.type !== 'pong');
    check(events.every((f) => Number.isInteger(f.seq) && typeof f.created_at === 'string'),
      `every raw frame carries seq and created_at: ${JSON.stringify(events)}`);
    check(events.every((f, i) => i === 0 || f.seq > events[i - 1].seq), 'raw frames out of seq order');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const seenByObserver = filtered.seen.map((e) => `${e.type}:${e.channel}`);
    check(JSON.stringify(seenByObserver) === '["message.created:general"]',
      `the general-only observer saw ${JSON.stringify(seenByObserver)}`);

    const rawCreated = events.find((f) => f.type === 'message.created');
    const backfill = await (await fetch(`${baseUrl}/v1/workspace/events?since=${rawCreated.seq - 1}`,
      { headers: { Authorization: `Bearer ${observer.token}` } })).json();
    check(backfill.data.events.length === 1 && backfill.data.events[0].seq === rawCreated.seq,
      `backfill after seq ${rawCreated.seq - 1} must match the stream, got ${JSON.stringify(backfill.data.events)}`);

    await ws.relay.observerTokens.revoke(observer.id);
    await until(() => filtered.closes() > 0, 'the revoked observer socket to close', 1500);
    await bob.send('#general', 'after the revocation');
    await until(() => all.seen.some((e) => e.message?.text === 'after the revocation'), 'the workspace key to go on');
    await new Promise((resolve) => setTimeout(resolve, 300));
    check(!filtered.seen.some((e) => e.message?.text === 'after the revocation'), 'a revoked token still received');
  } finally {
    raw.socket.close();
    admin.disconnect();
    dashboard.disconnect();
  }
});

function startBroker(instance, workspaceKey) {
  const root = mkdtempSync(join(tmpdir(), `relay-compat-${instance}-`));
  const home = join(root, 'home');
  const project = join(root, 'project');
  const apiKey = `br_${instance}_${run}`;
  const child = spawn('/bin/sh', ['-c', `mkdir -p "${home}" "${project}" && cd "${project}" && exec "${brokerBinary}" init --instance-name "${instance}" --persist`], {
    env: { PATH: '/usr/bin:/bin', HOME: home, USER: 'compat', AGENT_RELAY_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1',
      RELAYCAST_BASE_URL: baseUrl, RELAY_BASE_URL: baseUrl, AGENT_RELAY_WORKSPACE_KEY: workspaceKey,
      RELAY_BROKER_API_KEY: apiKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const broker = { instance, root, home, apiKey, child, output: '', exit: null, url: null };
  child.stdout.on('data', (chunk) => { broker.output += chunk; });
  child.stderr.on('data', (chunk) => { broker.output += chunk; });
  child.on('exit', (code) => { broker.exit = code; });
  brokers.push(broker);
  return broker;
}

async function brokerHealth(broker) {
  const url = broker.output.match(/API listening on (http:\/\/127\.0\.0\.1:\d+)/)?.[1];
  if (!url) return null;
  try {
    const response = await fetch(`${url}/health`, { headers: { 'x-api-key': broker.apiKey } });
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}

async function nodeConnected(broker) {
  let health = null;
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    if (broker.exit !== null) throw new Error(`broker ${broker.instance} exited (${broker.exit}): ${broker.output.trim()}`);
    health = await brokerHealth(broker);
    if (health?.nodeConnected === true) return health;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`broker ${broker.instance} never reported nodeConnected: ${JSON.stringify(health)}`);
}

function brokerLog(broker) {
  const dir = join(broker.home, '.local/state/agentworkforce/relay/logs');
  try {
    // eslint-disable-next-line no-control-regex
    return readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n').replace(/\x1b\[[0-9;]*m/g, '');
  } catch {
    return '';
  }
}

function stopBrokers() {
  for (const broker of brokers.splice(0)) {
    if (broker.exit === null) broker.child.kill('SIGKILL');
    rmSync(broker.root, { recursive: true, force: true });
  }
}

scenario('two brokers with the same workspace key: both nodes connect, a channel message reaches both, the same ' +
  'instance name is refused with the precise 409, a revoked node token is reported as rejected', async () => {
  const ws = await newWorkspace('brokers');
  const headers = { Authorization: `Bearer ${ws.apiKey}`, 'Content-Type': 'application/json' };
  try {
    const a = startBroker('machine-a', ws.apiKey);
    const b = startBroker('machine-b', ws.apiKey);
    await nodeConnected(a);
    await nodeConnected(b);
    const nodes = (await ws.relay.nodes?.list?.()) ?? (await (await fetch(`${baseUrl}/v1/nodes`, { headers })).json()).data;
    const names = nodes.map((n) => n.name).sort();
    check(JSON.stringify(names) === '["machine-a","machine-b"]', `nodes: ${JSON.stringify(names)}`);
    check(nodes.every((n) => n.status === 'online'), `both nodes should be online: ${JSON.stringify(nodes)}`);

    // Each broker's own agent placed on its node; an SDK agent's channel message must reach both nodes.
    const agentIds = {};
    for (const name of ['machine-a', 'machine-b']) {
      const bound = await fetch(`${baseUrl}/v1/nodes/${name}/agents`, { method: 'POST', headers,
        body: JSON.stringify({ agent_name: name }) });
      check(bound.status === 201, `binding ${name} answered ${bound.status}`);
      agentIds[name] = (await bound.json()).data.agent_id;
    }
    const sender = ws.relay.as((await ws.relay.agents.register({ name: 'sdk-sender' })).token);
    const posted = await sender.send('#general', 'hello both machines');
    for (const broker of [a, b]) {
      const deliveryId = `del_${posted.id}_${agentIds[broker.instance]}`;
      await until(() => brokerLog(broker).includes(deliveryId), `broker ${broker.instance} to receive ${deliveryId}`);
    }

    // The same instance name on a third machine (another state dir): the broker exits with the precise 409.
    const c = startBroker('machine-a', ws.apiKey);
    await until(() => c.exit !== null, 'the duplicate broker to exit', 20000);
    check(c.exit !== 0 && /409/.test(c.output) && /agent_identity_mismatch/.test(c.output),
      `duplicate instance name: exit ${c.exit}, output ${c.output.trim()}`);

    // A revoked node token: the broker reports the rejected (401) handshake, then enrols again.
    const removed = await fetch(`${baseUrl}/v1/nodes/machine-b`, { method: 'DELETE', headers });
    check(removed.status === 204, `DELETE /v1/nodes/machine-b answered ${removed.status}`);
    await until(() => /fleet node ws connect failed.*401/.test(brokerLog(b)),
      'broker machine-b to report its node token rejected with 401');
    await nodeConnected(b);
    check(a.exit === null && (await brokerHealth(a))?.nodeConnected === true, 'machine-a must carry on undisturbed');
  } finally {
    stopBrokers();
  }
});

scenario('a second machine joins with a one-time code: its broker runs on a restricted key, exchanges messages with ' +
  'the first machine, cannot use admin routes, and is cut off alone when its key is revoked', async () => {
  const ws = await newWorkspace('join');
  const admin = { Authorization: `Bearer ${ws.apiKey}`, 'Content-Type': 'application/json' };
  const json = { 'Content-Type': 'application/json' };
  try {
    // Machine 1: a broker on the admin key, and an SDK agent listening.
    const first = startBroker('machine-1', ws.apiKey);
    const alice = ws.relay.as((await ws.relay.agents.register({ name: 'alice' })).token);
    const aliceSeen = await connected(alice);
    await nodeConnected(first);

    // The admin makes a code; machine 2 redeems it without any key.
    const invite = await fetch(`${baseUrl}/v1/workspace/invites`, { method: 'POST', headers: admin,
      body: JSON.stringify({ label: 'laptop-2', expires_in: '10m' }) });
    check(invite.status === 201, `creating the invite answered ${invite.status}`);
    const code = (await invite.json()).data.code;
    const redeemed = await fetch(`${baseUrl}/v1/invites/redeem`, { method: 'POST', headers: json,
      body: JSON.stringify({ code }) });
    check(redeemed.status === 201, `redeeming answered ${redeemed.status}`);
    const joined = (await redeemed.json()).data;
    check(joined.workspace_id === ws.workspaceId && /^rk_live_/.test(joined.api_key), JSON.stringify(joined));
    const again = await fetch(`${baseUrl}/v1/invites/redeem`, { method: 'POST', headers: json,
      body: JSON.stringify({ code }) });
    check(again.status === 410 && (await again.json()).error.code === 'invite_used', 'a code redeems once');

    // Machine 2: the unmodified broker on the restricted key; it binds its own agent on its own node.
    const second = startBroker('laptop-2', joined.api_key);
    await nodeConnected(second);
    const machine = { Authorization: `Bearer ${joined.api_key}`, 'Content-Type': 'application/json' };
    const bound = await fetch(`${baseUrl}/v1/nodes/laptop-2/agents`, { method: 'POST', headers: machine,
      body: JSON.stringify({ agent_name: 'laptop-2' }) });
    check(bound.status === 201, `binding laptop-2 with its own key answered ${bound.status}`);
    const laptopAgentId = (await bound.json()).data.agent_id;

    // Machine 1 -> machine 2: alice's channel message reaches the broker on the restricted key.
    const posted = await alice.send('#general', 'hello, laptop-2');
    await until(() => brokerLog(second).includes(`del_${posted.id}_${laptopAgentId}`),
      'the broker on machine 2 to receive alice\'s message', 15000);
    // Machine 2 -> machine 1: an agent the machine's key registered DMs alice, live.
    const machineRelay = new RelayCast({ apiKey: joined.api_key, baseUrl });
    const worker = machineRelay.as((await machineRelay.agents.register({ name: 'laptop-2-worker' })).token);
    const dm = await worker.dm('alice', 'hello from machine 2');
    await until(() => aliceSeen.some((e) => e.type === 'dm.received' && e.message?.id === dm.message?.id),
      'alice to receive the DM from machine 2');

    // The restricted key is refused every admin route, naming the capability and the key.
    for (const [method, path] of [['POST', '/v1/channels'], ['GET', '/v1/observer-tokens'],
      ['GET', '/v1/workspace/keys'], ['DELETE', `/v1/workspaces/${ws.workspaceId}`], ['DELETE', '/v1/nodes/machine-1']]) {
      const refused = await fetch(`${baseUrl}${path}`, { method, headers: machine, body: method === 'POST' ? '{}' : undefined });
      const body = await refused.json();
      check(refused.status === 403 && body.error.code === 'missing_capability'
        && body.error.message.includes(joined.key.display_prefix), `${method} ${path}: ${refused.status} ${JSON.stringify(body)}`);
    }

    // The admin revokes machine 2's key: its broker is cut off and says so, machine 1 carries on.
    const keys = (await (await fetch(`${baseUrl}/v1/workspace/keys`, { headers: admin })).json()).data;
    const laptopKey = keys.find((k) => k.label === 'laptop-2');
    check(laptopKey && laptopKey.role === 'restricted', `keys: ${JSON.stringify(keys)}`);
    const revokedAt = Date.now();
    const revoked = await fetch(`${baseUrl}/v1/workspace/keys/${laptopKey.id}`, { method: 'DELETE', headers: admin });
    check(revoked.status === 204, `revoking the key answered ${revoked.status}`);
    let offlineAfter = null;
    while (offlineAfter === null && Date.now() - revokedAt < 5000) {
      const node = (await (await fetch(`${baseUrl}/v1/nodes/laptop-2`, { headers: admin })).json()).data;
      if (node?.status === 'offline') offlineAfter = Date.now() - revokedAt;
    }
    check(offlineAfter !== null && offlineAfter <= 1000, `laptop-2's node went offline after ${offlineAfter} ms`);
    // Its node socket is closed (1008 workspace_key_revoked), its reconnect is refused (401), and when it tries to
    // enrol again the broker logs the engine's own reason.
    await until(() => /create_node returned HTTP 401 \(unauthorized\): Workspace key was revoked at \S+: revoked by the workspace admin/
      .test(brokerLog(second)), 'the broker on machine 2 to report why it was rejected', 20000);
    let nodes = [];
    for (let i = 0; i < 20 && nodes.find((n) => n.name === 'laptop-2')?.status !== 'offline'; i += 1) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      nodes = (await (await fetch(`${baseUrl}/v1/nodes`, { headers: admin })).json()).data;
    }
    const laptopNode = nodes.find((n) => n.name === 'laptop-2');
    check(laptopNode?.status === 'offline', `laptop-2's node should be offline: ${JSON.stringify(laptopNode)}`);
    const workerRefused = await refusal(worker.send('#general', 'still here?'));
    check(workerRefused.code === 'agent_token_invalid', `machine 2's agent token: ${workerRefused.code}`);
    check(first.exit === null && (await brokerHealth(first))?.nodeConnected === true, 'machine 1 must carry on');
    const after = await alice.send('#general', 'machine 1 still works');
    const firstNode = nodes.find((n) => n.name === 'machine-1');
    check(firstNode?.status === 'online', `machine-1's node: ${JSON.stringify(firstNode)}`);
    check(after.id, 'alice can still post');
    await alice.disconnect();
  } finally {
    stopBrokers();
  }
});

let passed = 0;
let failed = 0;
for (const { name, body } of scenarios) {
  try {
    await body();
    passed += 1;
    console.log(`compat: ${name} ok`);
  } catch (err) {
    failed += 1;
    console.log(`compat: ${name} FAILED: ${err?.code ? `${err.code}: ` : ''}${err?.message ?? err}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
