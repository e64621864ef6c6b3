/**
 * The SFTP server (core/sftp/server.ts) driven by hand-built packets over a PassThrough pair:
 * VERSION, every version 3 request's reply bytes, errno mapping, READDIR batches and
 * longnames, OpenSSH's rename and symlink semantics, pipelined writes and reads on one
 * handle, bytes that are not UTF-8, and read-only mode.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
} from 'node:fs';
import { statSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { writeAttrs } from '../../../core/sftp/attrs.js';
import { OpenFlag, PacketType, StatusCode } from '../../../core/sftp/constants.js';
import { encodePacket } from '../../../core/sftp/packets.js';
import { statusPacket } from '../../../core/sftp/server-replies.js';
import { SshReader } from '../../../core/wire/reader.js';
import { tempDir } from '../../support/temp-dir.js';
import { attrsOf, dataOf, handleOf, namesOf, NO_ATTRS, path, Peer, status } from './server-peer.js';
import type { Reply } from './server-peer.js';

const { OPEN, CLOSE, READ, WRITE, STAT, LSTAT, FSTAT, SETSTAT, FSETSTAT } = PacketType;
const { OPENDIR, READDIR, REMOVE, MKDIR, RMDIR, REALPATH, RENAME, READLINK, SYMLINK } = PacketType;

async function withServer(
  fn: (p: Peer, home: string) => Promise<void>,
  extra: { readOnly?: boolean; maxHandles?: number } = {},
): Promise<void> {
  const t = tempDir('sftp-server');
  const home = realpathSync(t.dir);
  const p = await Peer.start({ home, ...extra });
  try {
    await fn(p, home);
  } finally {
    await p.end();
    t.cleanup();
  }
}

const openFile = async (p: Peer, name: string | Uint8Array, flags: number, mode?: number) =>
  p.request(OPEN, (w) => {
    w.writeString(name).writeUint32(flags);
    writeAttrs(w, mode === undefined ? {} : { permissions: mode });
  });

const writeAt = (p: Peer, h: Uint8Array, off: number, data: Uint8Array) =>
  p.request(WRITE, (w) => w.writeString(h).writeUint64(BigInt(off)).writeString(data));

const readAt = (p: Peer, h: Uint8Array, off: number, len: number) =>
  p.request(READ, (w) => w.writeString(h).writeUint64(BigInt(off)).writeUint32(len));

const code = (r: Reply) => status(r).code;

test('VERSION: version 3 and the OpenSSH extensions in order', async () => {
  await withServer(async (p) => {
    const v = p.version;
    assert.ok(v);
    const r = new SshReader(v.body);
    assert.equal(r.readUint32(), 3);
    const exts: string[] = [];
    while (r.remaining > 0) {
      exts.push(`${Buffer.from(r.readString())}=${Buffer.from(r.readString())}`);
    }
    assert.deepEqual(exts, [
      'posix-rename@openssh.com=1',
      'statvfs@openssh.com=2',
      'fstatvfs@openssh.com=2',
      'hardlink@openssh.com=1',
      'fsync@openssh.com=1',
      'lsetstat@openssh.com=1',
      'limits@openssh.com=1',
      'expand-path@openssh.com=1',
      'copy-data=1',
      'home-directory=1',
      'users-groups-by-id@openssh.com=1',
    ]);
  });
});

test('STATUS replies carry sftp-server messages and an empty language tag', async () => {
  await withServer(async (p) => {
    const r = await p.request(STAT, path('missing'));
    const expected = statusPacket(r.id, StatusCode.NO_SUCH_FILE);
    assert.deepEqual(Buffer.from(r.body), Buffer.from(expected.subarray(5)));
    assert.deepEqual(status(r), { code: 2, message: 'No such file' });
  });
});

test('REALPATH: "." and "" are home, a missing last component is allowed', async () => {
  await withServer(async (p, home) => {
    mkdirSync(join(home, 'sub'));
    const dot = namesOf(await p.request(REALPATH, path('.')));
    assert.equal(dot.length, 1);
    assert.equal(dot[0]?.name.toString(), home);
    assert.equal(dot[0]?.longname.toString(), home);
    assert.deepEqual(dot[0]?.attrs, {});
    assert.equal(namesOf(await p.request(REALPATH, path('')))[0]?.name.toString(), home);
    const odd = namesOf(await p.request(REALPATH, path('sub/../sub/./new')));
    assert.equal(odd[0]?.name.toString(), `${home}/sub/new`);
    assert.equal(code(await p.request(REALPATH, path('nope/deeper'))), StatusCode.NO_SUCH_FILE);
  });
});

test('OPEN/WRITE/READ/CLOSE: round trip, EOF, empty read, flags', async () => {
  await withServer(async (p, home) => {
    const flags = OpenFlag.WRITE | OpenFlag.CREAT | OpenFlag.TRUNC;
    const h = handleOf(await openFile(p, 'f.bin', flags, 0o640));
    assert.equal(h.length, 4);
    const data = randomBytes(100_000);
    assert.equal(code(await writeAt(p, h, 0, data)), StatusCode.OK);
    assert.equal(code(await p.request(CLOSE, path(h))), StatusCode.OK);
    assert.deepEqual(readFileSync(join(home, 'f.bin')), data);
    assert.equal(statSync(join(home, 'f.bin')).mode & 0o777, 0o640);

    const r = handleOf(await openFile(p, 'f.bin', OpenFlag.READ));
    assert.deepEqual(dataOf(await readAt(p, r, 10, 1000)), data.subarray(10, 1010));
    assert.deepEqual(dataOf(await readAt(p, r, 99_990, 1000)), data.subarray(99_990));
    assert.equal(code(await readAt(p, r, 100_000, 10)), StatusCode.EOF);
    assert.equal(dataOf(await readAt(p, r, 0, 0)).length, 0);
    // a read beyond 255 KiB is cut to 255 KiB
    const big = randomBytes(300 * 1024);
    writeFileSync(join(home, 'big'), big);
    const b = handleOf(await openFile(p, 'big', OpenFlag.READ));
    assert.equal(dataOf(await readAt(p, b, 0, 300 * 1024)).length, 255 * 1024);
    // writing through a read-only handle fails (EBADF)
    assert.equal(code(await writeAt(p, r, 0, Buffer.from('x'))), StatusCode.NO_SUCH_FILE);

    // EXCL on an existing file; APPEND ignores the offset
    assert.equal(
      code(await openFile(p, 'f.bin', OpenFlag.WRITE | OpenFlag.CREAT | OpenFlag.EXCL)),
      StatusCode.FAILURE,
    );
    writeFileSync(join(home, 'log'), 'one\n');
    const a = handleOf(await openFile(p, 'log', OpenFlag.WRITE | OpenFlag.APPEND));
    assert.equal(code(await writeAt(p, a, 0, Buffer.from('two\n'))), StatusCode.OK);
    assert.equal(readFileSync(join(home, 'log'), 'utf8'), 'one\ntwo\n');
    assert.equal(code(await openFile(p, 'absent', OpenFlag.READ)), StatusCode.NO_SUCH_FILE);
    for (const x of [r, b, a]) assert.equal(code(await p.request(CLOSE, path(x))), 0);
    assert.equal(code(await p.request(CLOSE, path(a))), StatusCode.FAILURE);
  });
});

test('pipelined writes land in place; pipelined reads answer in order', async () => {
  await withServer(async (p, home) => {
    const h = handleOf(await openFile(p, 'pipe', OpenFlag.WRITE | OpenFlag.CREAT));
    const chunk = 32 * 1024;
    const data = randomBytes(chunk * 64);
    const writes = [];
    for (let i = 0; i < 64; i++) {
      writes.push(writeAt(p, h, i * chunk, data.subarray(i * chunk, (i + 1) * chunk)));
    }
    // overlapping writes in one burst: the later one wins, as if served one by one
    writes.push(writeAt(p, h, 5, Buffer.from('AAAA')));
    writes.push(writeAt(p, h, 6, Buffer.from('BB')));
    for (const w of await Promise.all(writes)) assert.equal(code(w), StatusCode.OK);
    assert.equal(code(await p.request(CLOSE, path(h))), 0);
    const expected = Buffer.from(data);
    expected.write('ABBA', 5);
    assert.deepEqual(readFileSync(join(home, 'pipe')), expected);

    const r = handleOf(await openFile(p, 'pipe', OpenFlag.READ));
    const before = p.arrived.length;
    const reads = [];
    for (let i = 0; i < 64; i++) reads.push(readAt(p, r, i * chunk, chunk));
    const got = await Promise.all(reads);
    assert.deepEqual(Buffer.concat(got.map(dataOf)), expected);
    const order = p.arrived.slice(before).map((x) => x.id);
    assert.deepEqual(
      order,
      got.map((x) => x.id),
    );
    assert.deepEqual(
      order,
      [...order].sort((x, y) => x - y),
    );
  });
});

test('STAT, LSTAT, FSTAT, SETSTAT and FSETSTAT', async () => {
  await withServer(async (p, home) => {
    writeFileSync(join(home, 'f'), 'hello');
    symlinkSync('f', join(home, 'l'));
    const st = statSync(join(home, 'f'));
    const a = attrsOf(await p.request(STAT, path('l')));
    assert.deepEqual(a, {
      size: 5,
      uid: st.uid,
      gid: st.gid,
      permissions: st.mode,
      atime: Math.floor(st.atimeMs / 1000),
      mtime: Math.floor(st.mtimeMs / 1000),
    });
    const la = attrsOf(await p.request(LSTAT, path('l')));
    assert.equal((la.permissions ?? 0) & 0o170000, 0o120000);
    assert.equal(la.size, 1);

    const set = await p.request(SETSTAT, (w) => {
      w.writeString('f');
      writeAttrs(w, { size: 2, permissions: 0o600, atime: 1_000_000, mtime: 2_000_000 });
    });
    assert.equal(code(set), StatusCode.OK);
    const after = statSync(join(home, 'f'));
    assert.equal(after.size, 2);
    assert.equal(after.mode & 0o7777, 0o600);
    assert.equal(Math.floor(after.mtimeMs / 1000), 2_000_000);
    assert.equal(Math.floor(after.atimeMs / 1000), 1_000_000);

    const h = handleOf(await openFile(p, 'f', OpenFlag.READ | OpenFlag.WRITE));
    const fs = attrsOf(await p.request(FSTAT, path(h)));
    assert.equal(fs.size, 2);
    const fset = await p.request(FSETSTAT, (w) => {
      w.writeString(h);
      writeAttrs(w, { size: 10, permissions: 0o644, atime: 3_000_000, mtime: 4_000_000 });
    });
    assert.equal(code(fset), StatusCode.OK);
    const f2 = statSync(join(home, 'f'));
    assert.equal(f2.size, 10);
    assert.equal(f2.mode & 0o7777, 0o644);
    assert.equal(Math.floor(f2.mtimeMs / 1000), 4_000_000);
    // setstat on nothing: the errno's status
    const none = await p.request(SETSTAT, (w) => {
      w.writeString('none');
      writeAttrs(w, { permissions: 0o600 });
    });
    assert.equal(code(none), StatusCode.NO_SUCH_FILE);
    // a directory handle has no FSTAT (sftp-server: only files)
    const d = handleOf(await p.request(OPENDIR, path('.')));
    assert.equal(code(await p.request(FSTAT, path(d))), StatusCode.FAILURE);
  });
});

test('READDIR: ".", "..", then batches of at most 100, then EOF; ls -l longnames', async () => {
  await withServer(async (p, home) => {
    mkdirSync(join(home, 'd'));
    for (let i = 0; i < 250; i++) writeFileSync(join(home, 'd', `file-${i}`), 'x'.repeat(i));
    const h = handleOf(await p.request(OPENDIR, path('d')));
    const batches: number[] = [];
    const names: string[] = [];
    for (;;) {
      const r = await p.request(READDIR, path(h));
      if (r.type === PacketType.STATUS) {
        assert.equal(code(r), StatusCode.EOF);
        break;
      }
      const items = namesOf(r);
      batches.push(items.length);
      for (const it of items) {
        names.push(it.name.toString());
        const st = lstatSync(join(home, 'd', it.name.toString()));
        assert.equal(it.attrs.size, st.size);
        assert.equal(it.attrs.permissions, st.mode);
      }
    }
    assert.deepEqual(batches, [100, 100, 52]);
    assert.deepEqual(names.slice(0, 2), ['.', '..']);
    assert.equal(new Set(names).size, 252);
    assert.equal(code(await p.request(READDIR, path(h))), StatusCode.EOF);
    assert.equal(code(await p.request(CLOSE, path(h))), StatusCode.OK);

    // the longname, as `ls -l` and sftp-server's ls_file print it
    writeFileSync(join(home, 'one'), 'hello');
    const d2 = handleOf(await p.request(OPENDIR, path('.')));
    const first = namesOf(await p.request(READDIR, path(d2)));
    const one = first.find((x) => x.name.toString() === 'one');
    assert.ok(one);
    const user = userInfo().username.padEnd(8);
    const st = statSync(join(home, 'one'));
    const when = new Date(st.mtimeMs);
    const mon = when.toLocaleString('en-US', { month: 'short' });
    const day = String(when.getDate()).padStart(2);
    const hm = `${String(when.getHours()).padStart(2, '0')}:${String(when.getMinutes()).padStart(2, '0')}`;
    const line = one.longname.toString();
    assert.match(line, /^-rw-r--r-- {4}1 /);
    assert.ok(line.startsWith(`-rw-r--r--    1 ${user} `), line);
    assert.ok(line.endsWith(`        5 ${mon} ${day} ${hm} one`), line);
    const dir = first.find((x) => x.name.toString() === 'd');
    assert.match(dir?.longname.toString() ?? '', /^drwxr-xr-x +\d+ /);
    assert.equal(code(await p.request(OPENDIR, path('one'))), StatusCode.NO_SUCH_FILE);
  });
});

test('REMOVE, MKDIR (mode), RMDIR and their errno statuses', async () => {
  await withServer(async (p, home) => {
    const mk = await p.request(MKDIR, (w) => {
      w.writeString('made');
      writeAttrs(w, { permissions: 0o750 });
    });
    assert.equal(code(mk), StatusCode.OK);
    assert.equal(statSync(join(home, 'made')).mode & 0o777, 0o750);
    assert.equal(code(await p.request(MKDIR, (w) => (w.writeString('made'), NO_ATTRS(w)))), 4);
    writeFileSync(join(home, 'made', 'x'), '');
    assert.equal(code(await p.request(RMDIR, path('made'))), StatusCode.FAILURE); // ENOTEMPTY
    assert.equal(code(await p.request(REMOVE, path('made/x'))), StatusCode.OK);
    assert.equal(code(await p.request(REMOVE, path('made/x'))), StatusCode.NO_SUCH_FILE);
    assert.equal(code(await p.request(REMOVE, path('made'))), StatusCode.FAILURE); // EISDIR
    assert.equal(code(await p.request(RMDIR, path('made'))), StatusCode.OK);
    assert.equal(existsSync(join(home, 'made')), false);
    writeFileSync(join(home, 'plain'), '');
    assert.equal(code(await p.request(STAT, path('plain/x'))), StatusCode.NO_SUCH_FILE); // ENOTDIR
    // EPERM: a hard link to a directory
    mkdirSync(join(home, 'dir'));
    const hl = await p.extended('hardlink@openssh.com', path('dir', 'dir2'));
    assert.equal(code(hl), StatusCode.PERMISSION_DENIED);
  });
});

test('RENAME keeps an existing target; posix-rename replaces it', async () => {
  await withServer(async (p, home) => {
    writeFileSync(join(home, 'a'), 'A');
    writeFileSync(join(home, 'b'), 'B');
    assert.equal(code(await p.request(RENAME, path('a', 'b'))), StatusCode.FAILURE);
    assert.equal(readFileSync(join(home, 'a'), 'utf8'), 'A');
    assert.equal(readFileSync(join(home, 'b'), 'utf8'), 'B');
    assert.equal(code(await p.request(RENAME, path('a', 'c'))), StatusCode.OK);
    assert.equal(existsSync(join(home, 'a')), false);
    assert.equal(readFileSync(join(home, 'c'), 'utf8'), 'A');
    mkdirSync(join(home, 'd1'));
    assert.equal(code(await p.request(RENAME, path('d1', 'b'))), StatusCode.FAILURE);
    assert.equal(code(await p.request(RENAME, path('d1', 'd2'))), StatusCode.OK);
    assert.ok(statSync(join(home, 'd2')).isDirectory());
    assert.equal(code(await p.request(RENAME, path('nope', 'x'))), StatusCode.NO_SUCH_FILE);
    assert.equal(code(await p.extended('posix-rename@openssh.com', path('c', 'b'))), 0);
    assert.equal(readFileSync(join(home, 'b'), 'utf8'), 'A');
  });
});

test('SYMLINK takes (targetpath, linkpath); READLINK returns the target', async () => {
  await withServer(async (p, home) => {
    writeFileSync(join(home, 'target'), 't');
    assert.equal(code(await p.request(SYMLINK, path('target', 'link'))), StatusCode.OK);
    assert.equal(readlinkSync(join(home, 'link')), 'target');
    const rl = namesOf(await p.request(READLINK, path('link')));
    assert.equal(rl[0]?.name.toString(), 'target');
    assert.equal(code(await p.request(SYMLINK, path('target', 'link'))), StatusCode.FAILURE);
    assert.equal(code(await p.request(READLINK, path('target'))), StatusCode.BAD_MESSAGE);
  });
});

test('names that are not UTF-8 pass through as bytes', async () => {
  await withServer(async (p, home) => {
    const name = Buffer.from([0x66, 0xff, 0xfe, 0x2e, 0x74]);
    const h = handleOf(await openFile(p, name, OpenFlag.WRITE | OpenFlag.CREAT));
    assert.equal(code(await writeAt(p, h, 0, Buffer.from('bytes'))), 0);
    assert.equal(code(await p.request(CLOSE, path(h))), 0);
    assert.equal(readFileSync(Buffer.concat([Buffer.from(home + '/'), name]), 'utf8'), 'bytes');
    const d = handleOf(await p.request(OPENDIR, path('.')));
    const items = namesOf(await p.request(READDIR, path(d)));
    const it = items.find((x) => x.name.equals(name));
    assert.ok(it, 'the raw name is listed');
    assert.ok(it.longname.subarray(it.longname.length - name.length).equals(name));
    const rp = namesOf(await p.request(REALPATH, path(name)));
    assert.ok(rp[0]?.name.equals(Buffer.concat([Buffer.from(home + '/'), name])));
  });
});

test('extensions: limits, statvfs, fstatvfs, fsync, lsetstat, expand-path, home-directory', async () => {
  await withServer(
    async (p, home) => {
      const lim = await p.extended('limits@openssh.com');
      assert.equal(lim.type, PacketType.EXTENDED_REPLY);
      const lr = new SshReader(lim.rest);
      assert.deepEqual(
        [lr.readUint64(), lr.readUint64(), lr.readUint64(), lr.readUint64()],
        [262144n, 261120n, 261120n, 77n],
      );

      const sv = await p.extended('statvfs@openssh.com', path('.'));
      assert.equal(sv.type, PacketType.EXTENDED_REPLY);
      assert.equal(sv.rest.length, 11 * 8);
      const sr = new SshReader(sv.rest);
      const bsize = sr.readUint64();
      sr.readUint64();
      const blocks = sr.readUint64();
      assert.ok(bsize > 0n && blocks > 0n);

      writeFileSync(join(home, 'f'), 'abc');
      const h = handleOf(await openFile(p, 'f', OpenFlag.READ | OpenFlag.WRITE));
      const fsv = await p.extended('fstatvfs@openssh.com', path(h));
      assert.equal(fsv.rest.length, 11 * 8);
      assert.equal(code(await p.extended('fsync@openssh.com', path(h))), StatusCode.OK);
      assert.equal(
        code(await p.extended('fsync@openssh.com', path(Buffer.alloc(4, 0xff)))),
        StatusCode.NO_SUCH_FILE,
      );

      symlinkSync('f', join(home, 'ln'));
      const ls = await p.extended('lsetstat@openssh.com', (w) => {
        w.writeString('ln');
        writeAttrs(w, { atime: 5_000_000, mtime: 6_000_000 });
      });
      assert.equal(code(ls), StatusCode.OK);
      assert.equal(Math.floor(lstatSync(join(home, 'ln')).mtimeMs / 1000), 6_000_000);
      assert.notEqual(Math.floor(statSync(join(home, 'f')).mtimeMs / 1000), 6_000_000);
      const lsz = await p.extended('lsetstat@openssh.com', (w) => {
        w.writeString('ln');
        writeAttrs(w, { size: 0 });
      });
      assert.equal(code(lsz), StatusCode.BAD_MESSAGE);

      const exp = async (x: string) =>
        namesOf(await p.extended('expand-path@openssh.com', path(x)))[0]?.name.toString();
      assert.equal(await exp('~'), home);
      assert.equal(await exp('~/f'), `${home}/f`);
      assert.equal(await exp('f'), `${home}/f`);
      assert.equal(await exp(''), home);
      assert.equal(await exp('/'), '/');
      assert.equal(await exp('~root'), realpathSync('/root'));
      const nouser = await p.extended('expand-path@openssh.com', path('~no-such-user-xyz/a'));
      assert.deepEqual(status(nouser), { code: StatusCode.NO_SUCH_FILE, message: 'no such user' });

      const hd = await p.extended('home-directory', path(''));
      assert.equal(namesOf(hd)[0]?.name.toString(), home);
      assert.equal(
        namesOf(await p.extended('home-directory', path('root')))[0]?.name.toString(),
        '/root',
      );
      assert.equal(code(await p.extended('home-directory', path('no-such-user-xyz'))), 4);
    },
    { maxHandles: 77 },
  );
});

test('extensions: users-groups-by-id, copy-data, hardlink; unknown ones', async () => {
  await withServer(async (p, home) => {
    const ids = (xs: number[]) => {
      const b = Buffer.alloc(xs.length * 4);
      xs.forEach((x, i) => b.writeUInt32BE(x, i * 4));
      return b;
    };
    const ug = await p.extended(
      'users-groups-by-id@openssh.com',
      path(ids([0, 4_000_000]), ids([0])),
    );
    assert.equal(ug.type, PacketType.EXTENDED_REPLY);
    const r = new SshReader(ug.rest);
    const users = new SshReader(r.readString());
    const groups = new SshReader(r.readString());
    assert.equal(Buffer.from(users.readString()).toString(), 'root');
    assert.equal(Buffer.from(users.readString()).toString(), '');
    assert.equal(Buffer.from(groups.readString()).toString(), 'root');
    const odd = await p.extended('users-groups-by-id@openssh.com', path(Buffer.alloc(3), ids([])));
    assert.equal(code(odd), StatusCode.BAD_MESSAGE);

    const data = randomBytes(200_000);
    writeFileSync(join(home, 'src'), data);
    const s = handleOf(await openFile(p, 'src', OpenFlag.READ));
    const d = handleOf(await openFile(p, 'dst', OpenFlag.WRITE | OpenFlag.CREAT));
    const cp = await p.extended('copy-data', (w) => {
      w.writeString(s).writeUint64(1000n).writeUint64(0n).writeString(d).writeUint64(10n);
    });
    assert.equal(code(cp), StatusCode.OK);
    const out = readFileSync(join(home, 'dst'));
    assert.deepEqual(out.subarray(10), data.subarray(1000));
    const same = await p.extended('copy-data', (w) => {
      w.writeString(s).writeUint64(0n).writeUint64(10n).writeString(s).writeUint64(0n);
    });
    assert.equal(code(same), StatusCode.FAILURE);

    assert.equal(code(await p.extended('hardlink@openssh.com', path('src', 'hl'))), 0);
    assert.equal(statSync(join(home, 'hl')).ino, statSync(join(home, 'src')).ino);
    assert.equal(code(await p.extended('nobody@example.com')), StatusCode.OP_UNSUPPORTED);
    assert.equal(code(await p.extended('constructor')), StatusCode.OP_UNSUPPORTED);
    assert.equal(code(await p.request(77)), StatusCode.OP_UNSUPPORTED);
  });
});

test('read-only: writes refused with PERMISSION_DENIED, reads work, no write extensions', async () => {
  await withServer(
    async (p, home) => {
      writeFileSync(join(home, 'f'), 'keep');
      const v = new SshReader(p.version?.body ?? new Uint8Array());
      v.readUint32();
      const names: string[] = [];
      while (v.remaining > 0) {
        names.push(Buffer.from(v.readString()).toString());
        v.readString();
      }
      assert.deepEqual(names, [
        'statvfs@openssh.com',
        'fstatvfs@openssh.com',
        'limits@openssh.com',
        'expand-path@openssh.com',
        'home-directory',
        'users-groups-by-id@openssh.com',
      ]);
      const denied = StatusCode.PERMISSION_DENIED;
      assert.equal(code(await openFile(p, 'f', OpenFlag.WRITE)), denied);
      assert.equal(code(await openFile(p, 'f', OpenFlag.READ | OpenFlag.TRUNC)), denied);
      assert.equal(code(await openFile(p, 'g', OpenFlag.READ | OpenFlag.CREAT)), denied);
      assert.equal(code(await p.request(REMOVE, path('f'))), denied);
      assert.equal(code(await p.request(MKDIR, (w) => (w.writeString('x'), NO_ATTRS(w)))), denied);
      assert.equal(code(await p.request(RENAME, path('f', 'g'))), denied);
      assert.equal(code(await p.request(SYMLINK, path('f', 'g'))), denied);
      assert.equal(code(await p.extended('posix-rename@openssh.com', path('f', 'g'))), denied);
      const h = handleOf(await openFile(p, 'f', OpenFlag.READ));
      assert.equal(dataOf(await readAt(p, h, 0, 10)).toString(), 'keep');
      assert.equal(code(await writeAt(p, h, 0, Buffer.from('x'))), denied);
      assert.equal(readFileSync(join(home, 'f'), 'utf8'), 'keep');
    },
    { readOnly: true },
  );
});

test('the session ignores bytes after a packet and answers one truncated request', async () => {
  await withServer(async (p) => {
    const id = p.takeId();
    const reply = p.expect(id);
    p.raw(encodePacket(OPEN, (w) => w.writeUint32(id).writeUint32(5)));
    assert.equal(code(await reply), StatusCode.BAD_MESSAGE);
    const ok = await p.request(REALPATH, (w) => w.writeString('.').writeUint32(1234));
    assert.equal(ok.type, PacketType.NAME);
  });
});
