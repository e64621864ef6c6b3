// The Local demo (core/service/demo/local-demo.ts) in process: the sshd listens on loopback
// with throwaway keys in a fresh private directory, the "Local demo" profile points at it and
// is updated in place by the next demo (other profiles untouched), close() stops the sshd and
// removes the keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { DEMO_PROFILE_NAME, startLocalDemo } from '../../../core/service/demo/local-demo.js';
import { ProfilesStore } from '../../../core/service/hosts/profiles-store.js';
import { acceptsOnLoopback } from '../../support/loopback-port.js';
import { tempDir } from '../../support/temp-dir.js';

test('the Local demo: sshd, throwaway keys, one profile updated in place, close cleans up', async () => {
  const t = tempDir('local-demo');
  try {
    const dataDir = t.path('data');
    const store = new ProfilesStore(t.path('data/profiles.json'));
    const other = await store.save({ name: 'work', host: 'work.example' });

    const first = await startLocalDemo({ dataDir, tempParent: t.dir });
    assert.equal(statSync(first.dir).mode & 0o777, 0o700);
    assert.equal(statSync(first.keyPath).mode & 0o777, 0o600);
    assert.equal(
      readFileSync(`${first.dir}/authorized_keys`, 'utf8'),
      readFileSync(`${first.keyPath}.pub`, 'utf8'),
    );
    assert.equal(await acceptsOnLoopback(first.port), true);
    assert.deepEqual(
      { ...first.profile, id: '' },
      {
        id: '',
        name: DEMO_PROFILE_NAME,
        host: '127.0.0.1',
        port: first.port,
        user: first.user,
        identityFiles: [first.keyPath],
        group: 'Demo',
      },
    );
    await first.close();
    assert.equal(existsSync(first.dir), false);
    assert.equal(await acceptsOnLoopback(first.port), false);

    const second = await startLocalDemo({ dataDir, tempParent: t.dir });
    try {
      assert.equal(second.profile.id, first.profile.id, 'updated, not added');
      assert.notEqual(second.keyPath, first.keyPath);
      const { profiles } = await new ProfilesStore(t.path('data/profiles.json')).list();
      assert.deepEqual(
        profiles.map((p) => [p.name, p.port]),
        [
          ['work', undefined],
          [DEMO_PROFILE_NAME, second.port],
        ],
      );
      assert.deepEqual(profiles[0], other);
    } finally {
      await second.close();
    }
  } finally {
    t.cleanup();
  }
});
