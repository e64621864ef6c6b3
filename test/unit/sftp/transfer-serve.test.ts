/**
 * download() / upload() against Keyway's own SFTP server (serveSftp), in-process over two
 * crossed PassThrough streams: a tree with nested directories and symlinks up and down with
 * -p, a 1 MiB + 1 file, and a reget from a .part.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  mkdirSync,
  readlinkSync,
  realpathSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { SftpClient } from '../../../core/sftp/client.js';
import { serveSftp } from '../../../core/sftp/server.js';
import { download, upload } from '../../../core/sftp/transfer/index.js';
import { tempDir } from '../../support/temp-dir.js';
import { sha, shaFile, treeShape } from '../../support/sftp-harness.js';

test('a tree, a 1 MiB + 1 file and a reget through serveSftp', async () => {
  const t = tempDir('transfer-serve');
  const root = realpathSync(t.dir);
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const served = serveSftp({ readable: toServer, writable: toClient }, { home: root });
  const client = await SftpClient.start({
    readable: toClient,
    writable: toServer,
    close: () => toServer.end(),
  });
  try {
    const src = join(root, 'src');
    for (let i = 0; i < 4; i++) {
      mkdirSync(join(src, `d${i}`, 'e'), { recursive: true });
      for (let k = 0; k < 25; k++) {
        writeFileSync(join(src, `d${i}`, 'e', `f${k}`), randomBytes(k * 500 + i));
      }
    }
    symlinkSync('d0/e/f1', join(src, 'link'));
    utimesSync(join(src, 'd1', 'e', 'f2'), 1_000_000_000, 1_222_222_222);
    const up = await upload(client, src, join(root, 'up'), { recursive: true, preserve: true });
    assert.deepEqual(up.failures, []);
    assert.equal(up.files, 100);
    const shape = treeShape(src);
    assert.deepEqual(treeShape(join(root, 'up')), shape);
    assert.equal(statSync(join(root, 'up/d1/e/f2')).mtimeMs, 1_222_222_222_000);
    const down = await download(client, join(root, 'up'), join(root, 'down'), {
      recursive: true,
      preserve: true,
    });
    assert.deepEqual(down.failures, []);
    assert.deepEqual(treeShape(join(root, 'down')), shape);
    assert.equal(readlinkSync(join(root, 'down/link')), 'd0/e/f1');
    assert.equal(statSync(join(root, 'down/d1/e/f2')).mtimeMs, 1_222_222_222_000);

    const data = randomBytes(1024 * 1024 + 1);
    writeFileSync(join(root, 'one.bin'), data);
    await upload(client, join(root, 'one.bin'), join(root, 'one-up.bin'));
    assert.equal(shaFile(join(root, 'one-up.bin')), sha(data));
    writeFileSync(join(root, 'one-down.bin.part'), data.subarray(0, 300_000));
    const r = await download(client, join(root, 'one-up.bin'), join(root, 'one-down.bin'), {
      resume: true,
    });
    assert.equal(r.bytes, data.length - 300_000);
    assert.equal(shaFile(join(root, 'one-down.bin')), sha(data));
  } finally {
    client.end();
    await served;
    t.cleanup();
  }
});
