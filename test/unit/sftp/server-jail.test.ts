/**
 * The SFTP server's root jail (core/sftp/server-paths.ts): '..' clamps at the root; absolute
 * and relative symlinks that point outside, symlinked parent directories and dangling links
 * are refused with PERMISSION_DENIED when followed; created symlinks cannot point above the
 * root; nothing outside the root is read, written, listed, removed or renamed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAttrs } from '../../../core/sftp/attrs.js';
import { OpenFlag, PacketType, StatusCode } from '../../../core/sftp/constants.js';
import { tempDir } from '../../support/temp-dir.js';
import { attrsOf, dataOf, handleOf, namesOf, NO_ATTRS, path, Peer, status } from './server-peer.js';
import type { Reply } from './server-peer.js';

const { OPEN, CLOSE, READ, STAT, LSTAT, SETSTAT, OPENDIR, READDIR, REMOVE, MKDIR } = PacketType;
const { RMDIR, REALPATH, RENAME, READLINK, SYMLINK } = PacketType;
const DENIED = StatusCode.PERMISSION_DENIED;
const code = (r: Reply) => status(r).code;

interface Jail {
  readonly root: string;
  readonly outside: string;
  readonly p: Peer;
}

async function withJail(fn: (j: Jail) => Promise<void>, home?: string): Promise<void> {
  const t = tempDir('sftp-jail');
  const base = realpathSync(t.dir);
  const root = join(base, 'root');
  const outside = join(base, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret'), 'SECRET');
  writeFileSync(join(root, 'inside'), 'inside');
  mkdirSync(join(root, 'sub'));
  const p = await Peer.start({
    home: home === undefined ? '/nonexistent' : join(root, home),
    root,
  });
  try {
    await fn({ root, outside, p });
  } finally {
    await p.end();
    t.cleanup();
  }
}

const open = (p: Peer, name: string, flags: number = OpenFlag.READ) =>
  p.request(OPEN, (w) => w.writeString(name).writeUint32(flags).writeUint32(0));

test('the root is "/"; ".." clamps at it', async () => {
  await withJail(async ({ p, root }) => {
    const rp = async (x: string) => namesOf(await p.request(REALPATH, path(x)))[0]?.name.toString();
    assert.equal(await rp('.'), '/');
    assert.equal(await rp('/../../..'), '/');
    assert.equal(await rp('../../sub/new'), '/sub/new');
    assert.equal(code(await p.request(REALPATH, path('../../outside/secret'))), 2);
    assert.equal(await rp('sub/../inside'), '/inside');
    const h = handleOf(await open(p, '../../../inside'));
    assert.equal(
      dataOf(
        await p.request(READ, (w) => w.writeString(h).writeUint64(0n).writeUint32(100)),
      ).toString(),
      'inside',
    );
    assert.equal(code(await open(p, '../outside/secret')), StatusCode.NO_SUCH_FILE);
    assert.equal(code(await p.request(STAT, path('/../outside'))), StatusCode.NO_SUCH_FILE);
    // '..' of the root lists the root itself
    const d = handleOf(await p.request(OPENDIR, path('/')));
    const items = namesOf(await p.request(READDIR, path(d)));
    const dot = items.find((x) => x.name.toString() === '.');
    const up = items.find((x) => x.name.toString() === '..');
    assert.deepEqual(up?.attrs, dot?.attrs);
    assert.ok(items.some((x) => x.name.toString() === 'inside'));
    assert.equal(code(await p.request(CLOSE, path(d))), 0);
    const home = await p.extended('home-directory', path(''));
    assert.equal(namesOf(home)[0]?.name.toString(), '/');
    const exp = await p.extended('expand-path@openssh.com', path('~/sub'));
    assert.equal(namesOf(exp)[0]?.name.toString(), '/sub');
    void root;
  });
});

test('home inside the root is where relative paths start', async () => {
  await withJail(async ({ p }) => {
    assert.equal(namesOf(await p.request(REALPATH, path('.')))[0]?.name.toString(), '/sub');
    assert.equal(
      namesOf(await p.request(REALPATH, path('../inside')))[0]?.name.toString(),
      '/inside',
    );
  }, 'sub');
});

test('absolute and relative symlinks to outside are refused when followed', async () => {
  await withJail(async ({ p, root, outside }) => {
    symlinkSync(join(outside, 'secret'), join(root, 'abs'));
    symlinkSync('../outside/secret', join(root, 'rel'));
    symlinkSync('../../outside', join(root, 'sub', 'updir'));
    symlinkSync(join(root, 'inside'), join(root, 'ok'));
    for (const l of ['abs', 'rel', '/abs', 'sub/../rel', 'sub/updir/secret']) {
      assert.equal(code(await open(p, l)), DENIED, l);
      assert.equal(code(await p.request(STAT, path(l))), DENIED, l);
      assert.equal(code(await p.request(REALPATH, path(l))), DENIED, l);
      assert.equal(code(await p.extended('statvfs@openssh.com', path(l))), DENIED, l);
    }
    const set = await p.request(SETSTAT, (w) => {
      w.writeString('abs');
      writeAttrs(w, { permissions: 0o777 });
    });
    assert.equal(code(set), DENIED);
    assert.equal(code(await p.request(OPENDIR, path('sub/updir'))), DENIED);
    // the links themselves may be looked at
    const la = attrsOf(await p.request(LSTAT, path('abs')));
    assert.equal((la.permissions ?? 0) & 0o170000, 0o120000);
    assert.equal(
      namesOf(await p.request(READLINK, path('rel')))[0]?.name.toString(),
      '../outside/secret',
    );
    // a link to inside, by its real absolute path, works and reads back in the client's view
    const h = handleOf(await open(p, 'ok'));
    const data = await p.request(READ, (w) => w.writeString(h).writeUint64(0n).writeUint32(64));
    assert.equal(dataOf(data).toString(), 'inside');
    assert.equal(namesOf(await p.request(READLINK, path('ok')))[0]?.name.toString(), '/inside');
  });
});

test('a symlinked parent directory to outside: nothing beneath it is reachable', async () => {
  await withJail(async ({ p, root, outside }) => {
    symlinkSync(outside, join(root, 'door'));
    const denied = async (r: Promise<Reply>, what: string) =>
      assert.equal(code(await r), DENIED, what);
    await denied(open(p, 'door/secret'), 'open');
    await denied(open(p, 'door/new', OpenFlag.WRITE | OpenFlag.CREAT), 'create');
    await denied(p.request(LSTAT, path('door/secret')), 'lstat');
    await denied(p.request(READLINK, path('door/secret')), 'readlink');
    await denied(p.request(REMOVE, path('door/secret')), 'remove');
    await denied(
      p.request(MKDIR, (w) => (w.writeString('door/d'), NO_ATTRS(w))),
      'mkdir',
    );
    await denied(p.request(RMDIR, path('door/x')), 'rmdir');
    await denied(p.request(RENAME, path('door/secret', 'stolen')), 'rename from');
    await denied(p.request(RENAME, path('inside', 'door/planted')), 'rename to');
    await denied(
      p.extended('posix-rename@openssh.com', path('door/secret', 'stolen')),
      'posix-rename',
    );
    await denied(p.extended('hardlink@openssh.com', path('door/secret', 'hl')), 'hardlink');
    await denied(p.request(SYMLINK, path('x', 'door/l')), 'symlink');
    await denied(p.request(OPENDIR, path('door')), 'opendir');
    assert.equal(readFileSync(join(outside, 'secret'), 'utf8'), 'SECRET');
    assert.equal(existsSync(join(outside, 'new')), false);
    assert.equal(existsSync(join(outside, 'planted')), false);
    assert.equal(existsSync(join(root, 'stolen')), false);
    // the door itself (a symlink in the root) can be removed
    assert.equal(code(await p.request(REMOVE, path('door'))), StatusCode.OK);
    assert.equal(existsSync(outside), true);
  });
});

test('a dangling symlink to outside cannot create a file there', async () => {
  await withJail(async ({ p, root, outside }) => {
    symlinkSync(join(outside, 'created'), join(root, 'dangling'));
    symlinkSync('dangling', join(root, 'chain'));
    for (const l of ['dangling', 'chain']) {
      const r = await open(p, l, OpenFlag.WRITE | OpenFlag.CREAT);
      assert.equal(code(r), DENIED, l);
    }
    assert.equal(existsSync(join(outside, 'created')), false);
    // a dangling link inside the root may be created through
    symlinkSync('made-later', join(root, 'inner'));
    const h = handleOf(await open(p, 'inner', OpenFlag.WRITE | OpenFlag.CREAT));
    assert.equal(code(await p.request(CLOSE, path(h))), 0);
    assert.equal(existsSync(join(root, 'made-later')), true);
  });
});

test('created symlinks cannot point above the root; absolute targets are in the jail', async () => {
  await withJail(async ({ p, root }) => {
    assert.equal(code(await p.request(SYMLINK, path('../outside/secret', 'esc'))), DENIED);
    assert.equal(code(await p.request(SYMLINK, path('../../x', 'sub/esc'))), DENIED);
    assert.equal(existsSync(join(root, 'esc')), false);
    assert.equal(code(await p.request(SYMLINK, path('../inside', 'sub/fine'))), StatusCode.OK);
    assert.equal(code(await p.request(SYMLINK, path('/inside', 'absl'))), StatusCode.OK);
    assert.equal(readlinkSync(join(root, 'absl')), join(root, 'inside'));
    assert.equal(namesOf(await p.request(READLINK, path('absl')))[0]?.name.toString(), '/inside');
    // '/../..' in a target clamps like any client path
    assert.equal(code(await p.request(SYMLINK, path('/../../inside', 'abs2'))), StatusCode.OK);
    assert.equal(readlinkSync(join(root, 'abs2')), join(root, 'inside'));
    for (const l of ['sub/fine', 'absl', 'abs2']) {
      const h = handleOf(await open(p, l));
      const d = await p.request(READ, (w) => w.writeString(h).writeUint64(0n).writeUint32(64));
      assert.equal(dataOf(d).toString(), 'inside', l);
    }
  });
});
