// The contract end to end in memory (ServiceClient ↔ frames ↔ bindClient ↔ dispatch ↔
// createService, no network): every method has a schema, arguments are validated before any
// handler, events reach the client, and the api/ modules the renderer imports type-check
// with the DOM library and no Node types at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { ServiceClient } from '../../../core/service/api/client.js';
import { decodeClientFrame, encodeFrame } from '../../../core/service/api/frames.js';
import { methodSchemas } from '../../../core/service/api/schemas.js';
import { bindClient } from '../../../core/service/binding.js';
import { createService } from '../../../core/service/service.js';
import { tempDir } from '../../support/temp-dir.js';

const apiDir = fileURLToPath(new URL('../../../core/service/api/', import.meta.url));

function inMemory(dir: string) {
  const service = createService({
    home: dir,
    dataDir: join(dir, 'data'),
    agentPath: null,
    globalKnownHostsFiles: [],
  });
  let client: ServiceClient | null = null;
  // frames cross asynchronously, as over a socket
  const binding = bindClient(service, (m) => setImmediate(() => client?.receive(encodeFrame(m))));
  client = new ServiceClient((f) => setImmediate(() => binding.handle(decodeClientFrame(f))));
  return { service, client, binding };
}

test('profiles through the contract: save, list, hostsChanged events, delete', async () => {
  const t = tempDir('contract');
  const { service, client, binding } = inMemory(t.dir);
  try {
    let changed = 0;
    const off = client.on('hostsChanged', () => changed++);
    const p = await client.api.saveProfile({
      profile: { name: 'Box', host: 'box.example', port: 2222 },
    });
    assert.equal(p.name, 'Box');
    const list = await client.api.listHosts({});
    assert.deepEqual(list.profiles, [p]);
    assert.deepEqual(list.sshConfig, []);
    await client.api.deleteProfile({ id: p.id });
    assert.equal(changed, 2);
    off();
    assert.deepEqual(await client.api.parseQuickConnect({ text: 'me@h:2' }), {
      host: 'h',
      port: 2,
      user: 'me',
    });
    assert.deepEqual(await client.api.listConnections({}), []);
    assert.deepEqual(await client.api.listTransfers({}), []);
  } finally {
    binding.close();
    service.close();
    t.cleanup();
  }
});

test('arguments are checked before any handler: types, ranges, unknown keys, ids', async () => {
  const t = tempDir('contract');
  const { service, client, binding } = inMemory(t.dir);
  try {
    const call = (m: string, a: unknown) => client.call(m as 'listHosts', a as never);
    const cases: [string, unknown][] = [
      ['saveProfile', { profile: { name: 'x', host: 'bad host' } }],
      ['saveProfile', { profile: { name: 'x', host: 'h', colour: 'red' } }],
      ['saveProfile', { profile: { name: 'x', host: 'h', port: 70000 } }],
      ['saveProfile', { profile: { name: '', host: 'h' } }],
      ['saveProfile', { profile: { name: 'x\n', host: 'h' } }],
      ['deleteProfile', { id: '../etc' }],
      ['listHosts', { extra: true }],
      ['listHosts', 'string'],
      ['resizeTerminal', { terminalId: 't', cols: 80, rows: 1001 }],
      ['ackTerminal', { terminalId: 't', bytes: -1 }],
      ['writeTerminal', { terminalId: 't', data: 5 }],
      ['remoteChmod', { connectionId: 'c', path: '/x', mode: 0o10000 }],
      [
        'startTransfer',
        { connectionId: 'c', direction: 'sideways', localPath: '/a', remotePath: '/b' },
      ],
      ['answerPrompt', { promptId: 'p', answer: { kind: 'hostKey', decision: 'maybe' } }],
      ['connect', { target: { kind: 'url', text: 'x' } }],
    ];
    for (const [m, a] of cases) {
      await assert.rejects(
        call(m, a),
        { code: 'INVALID_ARGUMENT', name: 'InvalidArgumentError' },
        `${m} ${JSON.stringify(a)}`,
      );
    }
    await assert.rejects(call('toString', {}), { code: 'UNKNOWN_METHOD' });
    await assert.rejects(
      client.api.answerPrompt({ promptId: 'p1', answer: { kind: 'secret', value: 'x' } }),
      { code: 'NOT_FOUND' },
    );
    await assert.rejects(client.api.disconnect({ connectionId: 'c1' }), { code: 'NOT_FOUND' });
    await assert.rejects(client.api.cancelTransfer({ transferId: 't1' }), { code: 'NOT_FOUND' });
    await assert.rejects(client.api.remoteList({ connectionId: 'c1', path: '/' }), {
      code: 'NOT_FOUND',
    });
  } finally {
    binding.close();
    service.close();
    t.cleanup();
  }
});

test('a closed client rejects pending and later calls with SERVICE_CHANNEL_CLOSED', async () => {
  const client = new ServiceClient(() => {});
  const pending = client.api.listHosts({});
  client.close();
  await assert.rejects(pending, { code: 'SERVICE_CHANNEL_CLOSED' });
  await assert.rejects(client.api.listHosts({}), { code: 'SERVICE_CHANNEL_CLOSED' });
  // the api object is not a thenable: awaiting it sends nothing
  assert.equal((client.api as unknown as { then?: unknown }).then, undefined);
});

test('every method of the contract has a schema and a handler', async () => {
  const t = tempDir('contract');
  const service = createService({ home: t.dir, dataDir: t.dir, agentPath: null });
  try {
    for (const m of Object.keys(methodSchemas)) {
      // an invalid argument reaches the schema, not UNKNOWN_METHOD
      await assert.rejects(service.dispatch(m, { bogus: 1 }), { code: 'INVALID_ARGUMENT' }, m);
    }
  } finally {
    service.close();
    t.cleanup();
  }
});

test('the api/ modules type-check for a browser: DOM library, no Node types', () => {
  const files = readdirSync(apiDir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(apiDir, f));
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    types: [],
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: true,
  });
  const diags = ts
    .getPreEmitDiagnostics(program)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  assert.deepEqual(diags, []);
  for (const f of files) {
    const src = program.getSourceFile(f)?.text ?? '';
    assert.doesNotMatch(src, /from 'node:/, f);
  }
});
