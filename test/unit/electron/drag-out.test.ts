// Dragging a remote file out (electron/drag-out.ts) against a fake service that plays the
// transfer queue's part: the download goes to a fresh temp directory under the remote base
// name; a failed or cancelled transfer rejects with its typed error; bad arguments are refused
// before any transfer starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import type { TransferInfo } from '../../../core/service/api/contract.js';
import { EventHub } from '../../../core/service/events.js';
import { downloadForDrag, localNameFor } from '../../../electron/drag-out.js';
import { tempDir } from '../../support/temp-dir.js';

function fakeService(finish: (t: TransferInfo) => Partial<TransferInfo>, sync = false) {
  const events = new EventHub();
  const calls: { method: string; args: unknown }[] = [];
  const dispatch = async (method: string, args: unknown): Promise<unknown> => {
    calls.push({ method, args });
    // args spread as given (startTransfer's shape); the rest as the queue reports a start
    const info: TransferInfo = {
      ...(args as Pick<TransferInfo, 'connectionId' | 'localPath' | 'remotePath'>),
      transferId: 't1',
      state: 'running',
      direction: 'download',
      filesDone: 0,
      bytes: 0,
      filesTotal: null,
      totalBytes: null,
      currentPath: null,
      bytesPerSecond: 0,
      failures: [],
    };
    const final = { ...info, ...finish(info) };
    // sync: the final event arrives before startTransfer resolves
    if (sync) events.emit('transfer', final);
    else setImmediate(() => events.emit('transfer', final));
    return info;
  };
  return { service: { dispatch, events }, calls };
}

test('downloads to a fresh temp file under the base name and resolves when done', async () => {
  const t = tempDir('drag');
  try {
    for (const sync of [false, true]) {
      const f = fakeService(() => ({ state: 'done' }), sync);
      const path = await downloadForDrag(
        f.service,
        { connectionId: 'c1', path: '/home/a/report.pdf' },
        t.dir,
      );
      assert.equal(dirname(dirname(path)), t.dir);
      assert.match(path, /\/drag-[^/]+\/report\.pdf$/);
      assert.deepEqual(f.calls, [
        {
          method: 'startTransfer',
          args: {
            connectionId: 'c1',
            direction: 'download',
            localPath: path,
            remotePath: '/home/a/report.pdf',
          },
        },
      ]);
    }
  } finally {
    t.cleanup();
  }
});

test('a failed or cancelled download rejects with its error; bad arguments start nothing', async () => {
  const t = tempDir('drag');
  try {
    const failed = fakeService(() => ({
      state: 'failed',
      error: {
        name: 'SftpError',
        code: 'SFTP_ERROR',
        message: 'no such file',
        details: { status: 2 },
      },
    }));
    await assert.rejects(
      downloadForDrag(failed.service, { connectionId: 'c1', path: '/x' }, t.dir),
      (e: unknown) => (e as { code: string }).code === 'SFTP_ERROR',
    );
    const cancelled = fakeService(() => ({ state: 'cancelled' }));
    await assert.rejects(
      downloadForDrag(cancelled.service, { connectionId: 'c1', path: '/x' }, t.dir),
      (e: unknown) => (e as { code: string }).code === 'TRANSFER_CANCELLED',
    );
    const bad = fakeService(() => ({ state: 'done' }));
    for (const args of [
      null,
      { connectionId: 'c1' },
      { connectionId: 'c 1', path: '/x' },
      { connectionId: 'c1', path: 'a\0b' },
    ]) {
      await assert.rejects(
        downloadForDrag(bad.service, args, t.dir),
        (e: unknown) => (e as { code: string }).code === 'INVALID_ARGUMENT',
      );
    }
    assert.equal(bad.calls.length, 0);
  } finally {
    t.cleanup();
  }
});

test('local names: base name, unsafe characters replaced, nothing empty or dotted', () => {
  assert.equal(localNameFor('/a/b/c.txt'), 'c.txt');
  assert.equal(localNameFor('/a/dir/'), 'dir');
  assert.equal(localNameFor('/'), 'download');
  assert.equal(localNameFor('..'), 'download');
  assert.equal(localNameFor('/x/a:b*c?.txt'), 'a_b_c_.txt');
  assert.equal(localNameFor('/x/back\\slash'), 'back_slash');
});
