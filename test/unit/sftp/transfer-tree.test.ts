/**
 * Recursive transfers against OpenSSH's sftp-server as a child: a tree of 2,000 files in
 * nested directories with symlinks, up and down, identical (links checked by readlink);
 * -p on files and directories; symlink policies; one bad file (a fifo, an injected open
 * failure) reported while the rest is copied; a directory that cannot be made skipping its
 * subtree; progress over the whole tree; files talking to the server bounded by `concurrency`
 * (small ones by SMALL_FILE_FACTOR times that), with as many more reading ahead or writing
 * behind.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  download,
  upload,
  nodeLocalFs,
  SMALL_FILE_FACTOR,
  TransferCancelledError,
  TransferError,
  type LocalFs,
  type TransferProgress,
} from '../../../core/sftp/transfer/index.js';
import type { SftpClient } from '../../../core/sftp/client.js';
import { SftpConnectionLostError } from '../../../core/sftp/errors.js';
import type { SftpPath } from '../../../core/sftp/path-bytes.js';
import { isDirectory, isRegularFile } from '../../../core/sftp/attrs.js';
import { WALK_STEPS } from '../../../core/sftp/transfer/local-walk.js';
import { WALK_REQUESTS } from '../../../core/sftp/transfer/remote-walk.js';
import { tempDir, type TempDir } from '../../support/temp-dir.js';
import {
  errnoError,
  forwardingHandle,
  spyClient,
  startSftpServer,
  treeShape,
  watchLocal,
  type ServerChild,
} from '../../support/sftp-harness.js';

let tmp: TempDir;
let root = '';
let server: ServerChild;
let files = 0;
let bytes = 0;

before(async () => {
  tmp = tempDir('transfer-tree');
  root = realpathSync(tmp.dir);
  for (const d of ['local', 'remote', 'back']) mkdirSync(join(root, d));
  // local/tree: 10 × 10 directories of 20 files = 2,000 files, plus symlinks
  const top = join(root, 'local', 'tree');
  mkdirSync(top);
  for (let i = 0; i < 10; i++) {
    for (let j = 0; j < 10; j++) {
      const dir = join(top, `d${i}`, `e${j}`);
      mkdirSync(dir, { recursive: true });
      for (let k = 0; k < 20; k++) {
        const size = (i * 200 + j * 20 + k) % 97 === 0 ? 300_000 + k : (k * 131) % 5000;
        writeFileSync(join(dir, `f${k}.dat`), randomBytes(size));
        files++;
        bytes += size;
      }
    }
  }
  symlinkSync('e0/f1.dat', join(top, 'd0', 'rel-file-link'));
  symlinkSync('../d1', join(top, 'd0', 'dir-link'));
  symlinkSync('/nonexistent/absolute/target', join(top, 'dangling'));
  server = await startSftpServer(root);
});

after(async () => {
  await server.stop();
  tmp.cleanup();
});

const R = (name: string): string => join(root, 'remote', name);
const L = (name: string): string => join(root, 'local', name);

test('2,000 files with nested directories and symlinks: up and down, identical', async () => {
  const c = server.client;
  const events: TransferProgress[] = [];
  const up = await upload(c, L('tree'), R('tree'), {
    recursive: true,
    onProgress: (p) => events.push(p),
  });
  assert.deepEqual(up.failures, []);
  assert.equal(up.files, files);
  assert.equal(up.bytes, bytes);
  const shape = treeShape(L('tree'));
  assert.equal(shape.size, files + 100 + 10 + 3);
  assert.deepEqual(treeShape(R('tree')), shape);
  assert.equal(readlinkSync(R('tree/d0/dir-link')), '../d1');
  assert.equal(readlinkSync(R('tree/dangling')), '/nonexistent/absolute/target');

  // progress over the tree: monotonic, totals known, ends at the total
  const last = events[events.length - 1];
  assert.equal(last?.totalSize, bytes);
  assert.equal(last?.filesTotal, files);
  assert.equal(last?.totalBytes, bytes);
  assert.equal(last?.filesDone, files);
  for (let i = 1; i < events.length; i++) {
    const [a, b] = [events[i - 1], events[i]];
    assert.ok(a !== undefined && b !== undefined);
    assert.ok(b.totalBytes >= a.totalBytes && b.filesDone >= a.filesDone);
  }

  // into an existing directory: the tree arrives under its own name
  const down = await download(c, R('tree'), join(root, 'back'), { recursive: true });
  assert.deepEqual(down.failures, []);
  assert.equal(down.files, files);
  assert.equal(down.bytes, bytes);
  assert.deepEqual(treeShape(join(root, 'back', 'tree')), shape);
  assert.equal(lstatSync(join(root, 'back/tree/d0/rel-file-link')).isSymbolicLink(), true);
  assert.equal(readlinkSync(join(root, 'back/tree/d0/rel-file-link')), 'e0/f1.dat');

  // again over what is there: links with the same target are fine, files replaced, each
  // keeping the mode it had
  const kept = join(root, 'back/tree/d0/e0/f1.dat');
  chmodSync(kept, 0o640);
  writeFileSync(kept, 'changed here');
  const again = await download(c, R('tree'), join(root, 'back'), { recursive: true });
  assert.deepEqual(again.failures, []);
  assert.deepEqual(treeShape(join(root, 'back', 'tree')), shape);
  assert.equal(statSync(kept).mode & 0o7777, 0o640);
  // a tree without recursive is refused
  await assert.rejects(upload(c, L('tree'), R('tree')), /is a directory/);
});

test('-p keeps modes and mtimes of files and directories, both ways', async () => {
  const c = server.client;
  const src = L('ptree');
  mkdirSync(join(src, 'sub'), { recursive: true });
  writeFileSync(join(src, 'sub', 'a.txt'), 'a');
  writeFileSync(join(src, 'b.txt'), 'b');
  chmodSync(join(src, 'sub', 'a.txt'), 0o604);
  chmodSync(join(src, 'b.txt'), 0o750);
  chmodSync(join(src, 'sub'), 0o751);
  utimesSync(join(src, 'sub', 'a.txt'), 1_000_000_000, 1_000_000_001);
  utimesSync(join(src, 'b.txt'), 1_000_000_000, 1_000_000_002);
  utimesSync(join(src, 'sub'), 1_000_000_000, 1_000_000_003);
  utimesSync(src, 1_000_000_000, 1_000_000_004);
  const r = await upload(c, src, R('ptree'), { recursive: true, preserve: true });
  assert.deepEqual(r.failures, []);
  const expect = (base: string): void => {
    const m = (p: string): number => statSync(join(base, p)).mode & 0o7777;
    const t = (p: string): number => statSync(join(base, p)).mtimeMs / 1000;
    assert.equal(m('sub/a.txt'), 0o604);
    assert.equal(m('b.txt'), 0o750);
    assert.equal(m('sub'), 0o751);
    assert.equal(t('sub/a.txt'), 1_000_000_001);
    assert.equal(t('b.txt'), 1_000_000_002);
    assert.equal(t('sub'), 1_000_000_003);
    assert.equal(t('.'), 1_000_000_004);
  };
  expect(R('ptree'));
  const d = await download(c, R('ptree'), join(root, 'back', 'ptree'), {
    recursive: true,
    preserve: true,
  });
  assert.deepEqual(d.failures, []);
  expect(join(root, 'back', 'ptree'));
});

test("symlinks 'follow' copies what links point to and stops at a loop; 'skip' drops them", async () => {
  const c = server.client;
  const src = L('ltree');
  mkdirSync(join(src, 'dir'), { recursive: true });
  writeFileSync(join(src, 'dir', 'real.txt'), 'real');
  symlinkSync('dir/real.txt', join(src, 'file-link'));
  symlinkSync('..', join(src, 'dir', 'loop'));
  const f = await upload(c, src, R('ltree-follow'), { recursive: true, symlinks: 'follow' });
  assert.equal(f.failures.length, 1);
  assert.equal(f.failures[0]?.path, join(src, 'dir', 'loop'));
  assert.match(f.failures[0]?.error.message ?? '', /loop/);
  assert.equal(lstatSync(R('ltree-follow/file-link')).isFile(), true);
  assert.equal(readFileSync(R('ltree-follow/file-link'), 'utf8'), 'real');
  assert.equal(existsSync(R('ltree-follow/dir/loop')), false);

  const s = await upload(c, src, R('ltree-skip'), { recursive: true, symlinks: 'skip' });
  assert.deepEqual(s, { files: 1, bytes: 4, failures: [] });
  assert.equal(existsSync(R('ltree-skip/file-link')), false);
  assert.equal(readFileSync(R('ltree-skip/dir/real.txt'), 'utf8'), 'real');

  // remote side: follow copies through links; a remote loop ends at the depth limit
  const df = await download(c, R('ltree-skip'), join(root, 'back', 'ltree-plain'), {
    recursive: true,
  });
  assert.deepEqual(df.failures, []);
  symlinkSync('dir/real.txt', R('ltree-skip/remote-link'));
  const dl = await download(c, R('ltree-skip'), join(root, 'back', 'ltree-f'), {
    recursive: true,
    symlinks: 'follow',
  });
  assert.deepEqual(dl.failures, []);
  assert.equal(lstatSync(join(root, 'back/ltree-f/remote-link')).isFile(), true);
  symlinkSync('..', R('ltree-skip/dir/up'));
  const loop = await download(c, R('ltree-skip'), join(root, 'back', 'ltree-loop'), {
    recursive: true,
    symlinks: 'follow',
  });
  assert.equal(loop.failures.length, 1);
  assert.match(loop.failures[0]?.error.message ?? '', /depth/);
  const ds = await download(c, R('ltree-skip'), join(root, 'back', 'ltree-s'), {
    recursive: true,
    symlinks: 'skip',
  });
  assert.deepEqual(ds.failures, []);
  assert.equal(existsSync(join(root, 'back/ltree-s/remote-link')), false);
  assert.equal(existsSync(join(root, 'back/ltree-s/dir/up')), false);
});

test('a fifo in the tree is one failure ("not a regular file"); the rest is copied', async () => {
  const c = server.client;
  const src = L('fifo-tree');
  mkdirSync(join(src, 'd'), { recursive: true });
  for (let i = 0; i < 10; i++) writeFileSync(join(src, 'd', `f${i}`), `file ${i}`);
  execFileSync('mkfifo', [join(src, 'd', 'pipe')]);
  const up = await upload(c, src, R('fifo-tree'), { recursive: true });
  assert.equal(up.files, 10);
  assert.equal(up.failures.length, 1);
  assert.equal(up.failures[0]?.path, join(src, 'd', 'pipe'));
  assert.match(up.failures[0]?.error.message ?? '', /not a regular file/);
  assert.ok(up.failures[0]?.error instanceof TransferError);
  for (let i = 0; i < 10; i++) {
    assert.equal(readFileSync(R(`fifo-tree/d/f${i}`), 'utf8'), `file ${i}`);
  }
  execFileSync('mkfifo', [R('fifo-tree/d/pipe')]);
  const down = await download(c, R('fifo-tree'), join(root, 'back', 'fifo-tree'), {
    recursive: true,
  });
  assert.equal(down.files, 10);
  assert.equal(down.failures.length, 1);
  assert.equal(down.failures[0]?.path, R('fifo-tree/d/pipe'));
  assert.match(down.failures[0]?.error.message ?? '', /not a regular file/);
  assert.equal(existsSync(join(root, 'back/fifo-tree/d/pipe')), false);
});

test('one unreadable file (injected EACCES) is one failure; the rest is copied', async () => {
  const c = server.client;
  const src = L('tree/d3');
  const bad = join(src, 'e4', 'f7.dat');
  const local: LocalFs = {
    ...nodeLocalFs,
    open: (path, flags, mode) =>
      path === bad
        ? Promise.reject(errnoError('EACCES', 'open', path))
        : nodeLocalFs.open(path, flags, mode),
  };
  const up = await upload(c, src, R('eacces'), { recursive: true, local });
  assert.equal(up.files, 199);
  assert.equal(up.failures.length, 1);
  assert.equal(up.failures[0]?.path, bad);
  assert.match(up.failures[0]?.error.message ?? '', /EACCES/);
  assert.equal(existsSync(R('eacces/e4/f7.dat')), false);
  const shape = treeShape(src);
  shape.delete('e4/f7.dat');
  assert.deepEqual(treeShape(R('eacces')), shape);

  // download: the .part of one file cannot be written
  const badPart = join(root, 'back', 'eacces', 'e2', 'f3.dat.part');
  const dlocal = watchLocal((p) => p === badPart, {
    onWrite: () => {
      throw errnoError('EIO', 'write', badPart);
    },
  });
  const down = await download(c, R('eacces'), join(root, 'back', 'eacces'), {
    recursive: true,
    local: dlocal,
  });
  assert.equal(down.failures.length, 1);
  assert.equal(down.failures[0]?.path, R('eacces/e2/f3.dat'));
  assert.equal(down.files, 198);
  assert.equal(existsSync(join(root, 'back/eacces/e2/f3.dat')), false);
});

test('a directory that cannot be made skips its subtree; the rest is copied', async () => {
  const c = server.client;
  const into = join(root, 'back', 'blocked');
  // the tree arrives as blocked/eacces, where e5 is a file
  mkdirSync(join(into, 'eacces'), { recursive: true });
  writeFileSync(join(into, 'eacces', 'e5'), 'a file where a directory should go');
  const res = await download(c, R('eacces'), into, { recursive: true });
  assert.equal(res.failures.length, 1);
  assert.equal(res.failures[0]?.path, R('eacces/e5'));
  assert.match(res.failures[0]?.error.message ?? '', /not a directory/);
  assert.equal(res.files, 199 - 20);
  assert.equal(
    readFileSync(join(into, 'eacces', 'e5'), 'utf8'),
    'a file where a directory should go',
  );
  assert.equal(existsSync(join(into, 'eacces', 'e6', 'f0.dat')), true);

  // the same on the remote side: MKDIR fails, STAT finds no directory
  writeFileSync(R('blocked-up'), 'not a directory');
  // (the top of the tree itself: the whole call fails)
  await assert.rejects(upload(c, L('tree/d4'), R('blocked-up'), { recursive: true }), (e) => {
    assert.ok(e instanceof TransferError);
    assert.match(e.message, /not a directory/);
    return true;
  });
  mkdirSync(R('blocked-up2/d4'), { recursive: true });
  writeFileSync(R('blocked-up2/d4/e1'), 'not a directory');
  const r = await upload(c, L('tree/d4'), R('blocked-up2'), { recursive: true });
  assert.equal(r.failures.length, 1);
  assert.equal(r.failures[0]?.path, L('tree/d4/e1'));
  assert.equal(r.files, 180);
});

/** Highest count of overlapping intervals, each from its start until its end settles. */
function overlapCounter(): { during: <T>(p: () => Promise<T>) => Promise<T>; most: () => number } {
  let now = 0;
  let most = 0;
  return {
    during: async (p) => {
      most = Math.max(most, ++now);
      try {
        return await p();
      } finally {
        now--;
      }
    },
    most: () => most,
  };
}

test('concurrency bounds the files talking to the server, small files SMALL_FILE_FACTOR times as many; as many more again read ahead or write behind', async () => {
  // 8 files of several WRITEs / READs each (300 kB, past the server's 255 KiB) and 120 of one
  const conc = L('conc-src');
  mkdirSync(conc);
  const sizes = new Map<string, number>();
  for (let i = 0; i < 128; i++) {
    const name = `/f${String(i).padStart(3, '0')}`;
    const size = i < 8 ? 300_000 + i : 1000 + i;
    writeFileSync(conc + name, randomBytes(size));
    sizes.set(name, size);
  }
  const big = (size: number) => size > server.client.limits.maxWriteLength;
  assert.ok(big(300_000) && !big(1200));
  for (const dir of ['up', 'down'] as const) {
    for (const concurrency of [1, 3]) {
      const src = dir === 'up' ? conc : R(`conc-src-${concurrency}`);
      if (dir === 'down') execFileSync('cp', ['-a', conc, src]);
      const dst =
        dir === 'up' ? R(`conc-${concurrency}`) : join(root, 'back', `conc-${concurrency}`);
      // remote: a file from its OPEN until its handle's CLOSE is answered, by its size
      const remote = { big: overlapCounter(), small: overlapCounter() };
      const handleClosed = new Map<unknown, () => void>();
      const client = spyClient(server.client, (name, method) => {
        if (name === 'open') {
          const open = method as (path: string, ...a: never[]) => Promise<unknown>;
          return async (path: string, ...a: never[]) => {
            const size = sizes.get(path.slice((dir === 'up' ? dst : src).length));
            assert.ok(size !== undefined, `opened ${path}`);
            let closed: () => void = () => {};
            void remote[big(size) ? 'big' : 'small'].during(
              () => new Promise<void>((r) => (closed = r)),
            );
            await delay(2); // a slow server: an upload's next files are read meanwhile
            const h = await open(path, ...a);
            handleClosed.set(h, closed);
            return h;
          };
        }
        if (name === 'close') {
          const close = method as (h: unknown) => Promise<unknown>;
          return async (h: unknown) => {
            try {
              return await close(h);
            } finally {
              handleClosed.get(h)?.();
            }
          };
        }
        return undefined;
      });
      // local: each file from its open until its close
      const openLocal = overlapCounter();
      const local: LocalFs = {
        ...nodeLocalFs,
        open: async (path, flags, mode) => {
          const fh = await nodeLocalFs.open(path, flags, mode);
          let closed: () => void = () => {};
          void openLocal.during(() => new Promise<void>((r) => (closed = r)));
          return {
            ...forwardingHandle(fh),
            close: async () => {
              await delay(2); // a slow disk: a download's last files are still being written
              closed();
              await fh.close();
            },
          };
        },
      };
      const o = { recursive: true, concurrency, local };
      const r =
        dir === 'up' ? await upload(client, src, dst, o) : await download(client, src, dst, o);
      assert.deepEqual(r.failures, []);
      assert.equal(r.files, 128);
      assert.deepEqual(treeShape(dst), treeShape(src));
      const smallPlaces = SMALL_FILE_FACTOR * concurrency;
      // (eight big files, but small ones hold places between them in the walk's order)
      const bigMost = remote.big.most();
      assert.ok(bigMost >= 1 && bigMost <= concurrency, `${dir}: ${bigMost} big files at once`);
      assert.equal(remote.small.most(), smallPlaces, `${dir}: small files at once`);
      assert.ok(
        openLocal.most() > smallPlaces && openLocal.most() <= 2 * smallPlaces,
        `${dir}, concurrency ${concurrency}: ${openLocal.most()} local files open at once`,
      );
    }
  }
});

/** A path as the client was given it, as text. */
const pathText = (p: SftpPath): string => (typeof p === 'string' ? p : Buffer.from(p).toString());

/** A small tree: a/ and z/, three files in each. */
function streamTree(at: string): void {
  for (const d of ['a', 'z']) {
    mkdirSync(join(at, d), { recursive: true });
    for (let i = 0; i < 3; i++) writeFileSync(join(at, d, `f${i}`), randomBytes(1000 + i));
  }
}

/** A gate that opens when told to, or after 10 s, which the test then counts as a failure. */
function gate(): { wait: Promise<void>; open: () => void; timedOut: () => boolean } {
  let open: () => void = () => {};
  let late = false;
  const wait = new Promise<void>((r) => (open = r));
  const timer = setTimeout(() => ((late = true), open()), 10_000);
  void wait.then(() => clearTimeout(timer));
  return { wait, open, timedOut: () => late };
}

test('files move while the walk goes on: the first are done before a later directory is listed', async () => {
  streamTree(R('stream-src'));
  streamTree(L('stream-src'));
  for (const dir of ['down', 'up'] as const) {
    const z = gate();
    const done: string[] = [];
    const onFileDone = (p: string): void => {
      done.push(p);
      z.open();
    };
    let r;
    // the directory the walk comes to second waits to be listed until a file is done
    let later = '/z';
    let first = 'a';
    if (dir === 'down') {
      // (a download walks in the server's listing order)
      const names = (await server.client.list(R('stream-src'))).map((e) => e.filename);
      if (names.indexOf('z') < names.indexOf('a')) [later, first] = ['/a', 'z'];
      const client = spyClient(server.client, (name, method) => {
        if (name !== 'list') return undefined;
        const list = method as SftpClient['list'];
        return async (...a: Parameters<SftpClient['list']>) => {
          if (pathText(a[0]).endsWith(later)) await z.wait;
          return list(...a);
        };
      });
      const o = { recursive: true, onFileDone };
      r = await download(client, R('stream-src'), join(root, 'back', 'stream'), o);
      assert.deepEqual(treeShape(join(root, 'back', 'stream')), treeShape(R('stream-src')));
    } else {
      const local: LocalFs = {
        ...nodeLocalFs,
        readdir: async (path) => {
          if (path.endsWith(later)) await z.wait;
          return nodeLocalFs.readdir(path);
        },
      };
      r = await upload(server.client, L('stream-src'), R('stream-up'), {
        recursive: true,
        local,
        onFileDone,
      });
      assert.deepEqual(treeShape(R('stream-up')), treeShape(L('stream-src')));
    }
    assert.equal(z.timedOut(), false, `${dir}: no file was done before ${later} was listed`);
    assert.deepEqual(r.failures, []);
    assert.equal(r.files, 6);
    assert.match(done[0] ?? '', new RegExp(`/${first}/f\\d$`));
  }
});

test('a walk that fails for good part way ends the call with its error, once the walk has settled', async () => {
  streamTree(R('lost-src'));
  for (const n of [1, 2]) mkdirSync(R(`lost-src/z/deeper${n}`));
  // the first of them in the server's listing order fails; the other is still on its way
  const [fails, slow] = (await server.client.list(R('lost-src/z')))
    .map((e) => e.filename)
    .filter((n) => n.startsWith('deeper'));
  let listing = 0;
  let listed = 0;
  const client = spyClient(server.client, (name, method) => {
    if (name !== 'list') return undefined;
    const list = method as SftpClient['list'];
    return async (...a: Parameters<SftpClient['list']>) => {
      listing++;
      try {
        if (pathText(a[0]).endsWith(`/${fails}`))
          throw new SftpConnectionLostError(7, 'connection lost');
        if (pathText(a[0]).endsWith(`/${slow}`)) await delay(200);
        return await list(...a);
      } finally {
        listed++;
      }
    };
  });
  const done: string[] = [];
  const dst = join(root, 'back', 'lost');
  await assert.rejects(
    download(client, R('lost-src'), dst, { recursive: true, onFileDone: (p) => done.push(p) }),
    (e) => {
      assert.ok(e instanceof Error);
      const lost = e instanceof SftpConnectionLostError ? e : e.cause;
      assert.ok(lost instanceof SftpConnectionLostError, String(e));
      return true;
    },
  );
  // every listing the walk started has settled, the slow one's too
  assert.equal(listing, 5);
  assert.equal(listed, listing);
  // what was done stays done
  for (const p of done) assert.ok(existsSync(join(dst, p.slice(R('lost-src').length))), p);
});

test('cancel in the middle of a tree: TransferCancelledError, the files done stay done', async () => {
  const c = server.client;
  for (const dir of ['down', 'up'] as const) {
    const ac = new AbortController();
    const done: string[] = [];
    const o = {
      recursive: true,
      signal: ac.signal,
      onFileDone: (p: string) => {
        done.push(p);
        if (done.length === 30) ac.abort();
      },
    };
    const dst = join(root, 'back', `cancel-${dir}`);
    const run =
      dir === 'down'
        ? download(c, R('tree/d6'), dst, o)
        : upload(c, L('tree/d6'), R(`cancel-${dir}`), o);
    await assert.rejects(run, TransferCancelledError);
    assert.ok(done.length >= 30 && done.length < 200, `${done.length} files done`);
    const base = dir === 'down' ? dst : R(`cancel-${dir}`);
    const src = dir === 'down' ? R('tree/d6') : L('tree/d6');
    for (const p of done) {
      assert.equal(readFileSync(join(base, p.slice(src.length))).length, statSync(p).size);
    }
  }
  // the session is still good
  assert.equal((await c.stat(R('tree'))).permissions !== undefined, true);
});

/** `c` with its list() counted: how many run at once, at most. */
/** `c` counting its listings at once, and the paths it OPENs, in order. */
function countingLists(c: SftpClient): {
  client: SftpClient;
  most: () => number;
  opened: string[];
} {
  let now = 0;
  let most = 0;
  const opened: string[] = [];
  const client = spyClient(c, (k, method) => {
    if (k === 'open') {
      const open = method as SftpClient['open'];
      return (...args: Parameters<SftpClient['open']>) => {
        opened.push(pathText(args[0]));
        return open(...args);
      };
    }
    if (k !== 'list') return undefined;
    const list = method as SftpClient['list'];
    return async (...args: Parameters<SftpClient['list']>) => {
      most = Math.max(most, ++now);
      try {
        return await list(...args);
      } finally {
        now--;
      }
    };
  });
  return { client, most: () => most, opened };
}

/** The regular files under a remote directory, in the order a one-at-a-time walk meets them. */
async function remoteWalkOrder(c: SftpClient, dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await c.list(dir)) {
    if (e.filename === '.' || e.filename === '..') continue;
    const p = `${dir}/${e.filename}`;
    if (isDirectory(e.attrs)) out.push(...(await remoteWalkOrder(c, p)));
    else if (isRegularFile(e.attrs)) out.push(p);
  }
  return out;
}

/** The same for a local directory (entries by name, as an upload walks them). */
function localWalkOrder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) out.push(...localWalkOrder(p));
    else if (st.isFile()) out.push(p);
  }
  return out;
}

test('a download walk lists sibling directories at once, at most WALK_REQUESTS, in walk order', async () => {
  // d2 holds ten sibling directories; under a wider top there are more than WALK_REQUESTS
  execFileSync('cp', ['-a', L('tree/d2'), R('walk-src')]);
  for (let i = 0; i < WALK_REQUESTS + 8; i++)
    mkdirSync(R(`walk-src/wide/w${i}`), { recursive: true });
  const counted = countingLists(server.client);
  const dst = join(root, 'back', 'walk-down');
  const r = await download(counted.client, R('walk-src'), dst, { recursive: true });
  assert.deepEqual(r.failures, []);
  assert.equal(r.files, 200);
  assert.ok(counted.most() > 1, `at most ${counted.most()} listing at once`);
  assert.ok(counted.most() <= WALK_REQUESTS, `${counted.most()} listings at once`);
  // files start in the plan's order (they may finish out of it)
  assert.deepEqual(counted.opened, await remoteWalkOrder(server.client, R('walk-src')));
  assert.deepEqual(treeShape(dst), treeShape(R('walk-src')));
});

test("an upload walk stats a directory's entries at once, at most WALK_STEPS, in walk order", async () => {
  let now = 0;
  let most = 0;
  const counting =
    <A extends unknown[], T>(f: (...a: A) => Promise<T>) =>
    async (...a: A): Promise<T> => {
      most = Math.max(most, ++now);
      try {
        return await f(...a);
      } finally {
        now--;
      }
    };
  const local: LocalFs = {
    ...nodeLocalFs,
    lstat: counting(nodeLocalFs.lstat),
    readdir: counting(nodeLocalFs.readdir),
    readlink: counting(nodeLocalFs.readlink),
    open: (path, flags, mode) => (opened.push(path), nodeLocalFs.open(path, flags, mode)),
  };
  const opened: string[] = [];
  const r = await upload(server.client, L('tree/d3'), R('walk-up'), { recursive: true, local });
  assert.deepEqual(r.failures, []);
  assert.equal(r.files, 200);
  assert.ok(most > 1 && most <= WALK_STEPS, `${most} local calls at once`);
  // files start in the plan's order (they may finish out of it)
  assert.deepEqual(opened, localWalkOrder(L('tree/d3')));
  assert.deepEqual(treeShape(R('walk-up')), treeShape(L('tree/d3')));
});

test('into directories the walk makes, no target or .part is looked for; into existing ones, each is', async () => {
  const looked: string[] = [];
  const local: LocalFs = {
    ...nodeLocalFs,
    stat: (p) => (looked.push(p), nodeLocalFs.stat(p)),
    lstat: (p) => (looked.push(p), nodeLocalFs.lstat(p)),
  };
  // into an existing directory: the tree goes to <into>/d4, which the walk makes
  const into = join(root, 'back', 'fresh-down');
  mkdirSync(into);
  const dst = join(into, 'd4');
  const first = await download(server.client, R('tree/d4'), into, { recursive: true, local });
  assert.equal(first.files, 200);
  assert.deepEqual(looked, [into]); // where the tree goes, and nothing inside it
  looked.length = 0;
  // again, over what is there: every target is stat'ed (a replaced file keeps its mode)
  chmodSync(join(dst, 'e0', 'f1.dat'), 0o640);
  const again = await download(server.client, R('tree/d4'), into, { recursive: true, local });
  assert.equal(again.files, 200);
  assert.equal(looked.filter((p) => p.endsWith('.dat')).length, 200);
  assert.equal(statSync(join(dst, 'e0', 'f1.dat')).mode & 0o777, 0o640);
  assert.deepEqual(treeShape(dst), treeShape(R('tree/d4')));
});
