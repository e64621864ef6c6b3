/**
 * Transfers against the real OpenSSH sftp-server (Debian's 9.2): a 256 MiB file up and down
 * sha256-identical through the 255 KiB pipelines (sftp-server spawned directly, its stdio the
 * SFTP stream); then through Debian's sshd over a Keyway connection: a tree with nested
 * directories and symlinks up and down with -p, and a download whose connection is cut
 * midway, resumed identically on a new connection.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { openSftp } from '../../core/sftp/client.js';
import { OPENSSH_MAX_RW } from '../../core/sftp/constants.js';
import { download, upload, TransferError } from '../../core/sftp/transfer/index.js';
import { connect } from '../../core/client/connect.js';
import { startOpenSsh } from './harness/index.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';
import {
  startSftpServer,
  treeShape,
  watchLocal,
  type ServerChild,
} from '../support/sftp-harness.js';

let tmp: TempDir;
let root = '';
const servers: ServerChild[] = [];

before(() => {
  tmp = tempDir('sftp-transfer');
  root = realpathSync(tmp.dir);
  for (const d of ['local', 'remote']) mkdirSync(join(root, d));
});

after(async () => {
  for (const s of servers) await s.stop();
  tmp.cleanup();
});

const R = (name: string): string => join(root, 'remote', name);
const L = (name: string): string => join(root, 'local', name);

async function shaStream(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })) {
    h.update(chunk as Buffer);
  }
  return h.digest('hex');
}

/** A file of `size` random bytes, written in pieces; its sha256. */
function randomFile(path: string, size: number): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'w');
  try {
    for (let at = 0; at < size;) {
      const piece = randomBytes(Math.min(16 * 1024 * 1024, size - at));
      writeSync(fd, piece);
      h.update(piece);
      at += piece.length;
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

test('256 MiB up and down through sftp-server, sha256-identical', async () => {
  const s = await startSftpServer(root);
  servers.push(s);
  assert.equal(s.client.limits.maxReadLength, OPENSSH_MAX_RW);
  const size = 256 * 1024 * 1024;
  const digest = randomFile(L('huge.bin'), size);

  let t = performance.now();
  const up = await upload(s.client, L('huge.bin'), R('huge.bin'));
  const upSeconds = (performance.now() - t) / 1000;
  assert.deepEqual(up, { files: 1, bytes: size, failures: [] });
  assert.equal(await shaStream(R('huge.bin')), digest);

  t = performance.now();
  const down = await download(s.client, R('huge.bin'), L('huge-back.bin'));
  const downSeconds = (performance.now() - t) / 1000;
  assert.deepEqual(down, { files: 1, bytes: size, failures: [] });
  assert.equal(await shaStream(L('huge-back.bin')), digest);
  assert.equal(existsSync(L('huge-back.bin.part')), false);
  const mb = size / 1e6;
  console.log(
    `# 256 MiB via sftp-server: up ${(mb / upSeconds).toFixed(0)} MB/s, ` +
      `down ${(mb / downSeconds).toFixed(0)} MB/s`,
  );
});

test('through sshd: a tree with symlinks and -p up and down; a cut connection resumes', async () => {
  const key = tmp.path('id');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  const server = await startOpenSsh({
    authorizedKeys: [readFileSync(`${key}.pub`, 'utf8').trim()],
  });
  const dial = () =>
    connect({
      host: '127.0.0.1',
      port: server.port,
      username: userInfo().username,
      verifyHostKey: () => true,
      agentPath: null,
      identityFiles: [key],
    });
  try {
    // the tree
    const src = L('sshd-tree');
    for (let i = 0; i < 5; i++) {
      mkdirSync(join(src, `a${i}`, 'b'), { recursive: true });
      for (let k = 0; k < 30; k++) {
        writeFileSync(join(src, `a${i}`, 'b', `f${k}`), randomBytes((i * 30 + k) * 37));
      }
      writeFileSync(join(src, `a${i}`, 'big'), randomBytes(600_000 + i));
    }
    symlinkSync('a0/b/f3', join(src, 'link'));
    symlinkSync('../a1', join(src, 'a0', 'to-a1'));
    utimesSync(join(src, 'a2', 'big'), 1_000_000_000, 1_111_111_111);
    const conn = await dial();
    try {
      const c = await openSftp(conn);
      const up = await upload(c, src, R('sshd-tree'), { recursive: true, preserve: true });
      assert.deepEqual(up.failures, []);
      assert.equal(up.files, 155);
      const shape = treeShape(src);
      assert.deepEqual(treeShape(R('sshd-tree')), shape);
      assert.equal(statSync(R('sshd-tree/a2/big')).mtimeMs, 1_111_111_111_000);
      const down = await download(c, R('sshd-tree'), L('sshd-tree-back'), {
        recursive: true,
        preserve: true,
      });
      assert.deepEqual(down.failures, []);
      assert.deepEqual(treeShape(L('sshd-tree-back')), shape);
      assert.equal(readlinkSync(L('sshd-tree-back/a0/to-a1')), '../a1');
      assert.equal(statSync(L('sshd-tree-back/a2/big')).mtimeMs, 1_111_111_111_000);
      c.end();
    } finally {
      conn.close();
    }

    // a download whose connection is cut midway, then resumed on a new one
    const size = 48 * 1024 * 1024 + 3;
    const digest = randomFile(R('cut.bin'), size);
    writeFileSync(L('cut.bin'), 'old');
    const conn2 = await dial();
    let cut = false;
    const local = watchLocal((p) => p.endsWith('.part'), {
      onWrite: (n) => {
        if (!cut && n >= 8 * 1024 * 1024) {
          cut = true;
          conn2.close();
        }
      },
    });
    try {
      const c2 = await openSftp(conn2);
      await assert.rejects(download(c2, R('cut.bin'), L('cut.bin'), { local }), TransferError);
    } finally {
      conn2.close();
    }
    assert.equal(readFileSync(L('cut.bin'), 'utf8'), 'old');
    const partSize = statSync(L('cut.bin.part')).size;
    assert.ok(partSize >= 8 * 1024 * 1024 && partSize < size, `.part has ${partSize}`);
    const conn3 = await dial();
    try {
      const c3 = await openSftp(conn3);
      const r = await download(c3, R('cut.bin'), L('cut.bin'), { resume: true });
      assert.equal(r.bytes, size - partSize);
      assert.equal(await shaStream(L('cut.bin')), digest);
      c3.end();
    } finally {
      conn3.close();
    }
  } finally {
    await server.stop();
  }
});
