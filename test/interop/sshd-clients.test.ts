/**
 * Third-party SSH clients against `keyway sshd`: Paramiko and AsyncSSH (Debian's packages, run
 * with Debian's /usr/bin/python3) log in with a key, run a command, and read its stdout,
 * stderr and exit status.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { startKeywaySshd, type KeywaySshd } from '../support/keyway-sshd.js';

const PYTHON = '/usr/bin/python3';
const me = userInfo().username;
let dir = '';
let server: KeywaySshd;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyway-sshd-clients-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id')]);
  server = await startKeywaySshd({
    authorizedKeys: [readFileSync(join(dir, 'id.pub'), 'utf8').trim()],
  });
});

after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function python(
  script: string,
  ...args: string[]
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
    delete env['PYTHONPATH'];
    delete env['PYTHONHOME'];
    execFile(PYTHON, ['-c', script, ...args], { env, timeout: 60_000 }, (e, out, err) =>
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, out, err }),
    );
  });
}

const COMMAND = 'echo "from $USER"; echo "to stderr" >&2; exit 5';

test('Paramiko runs a command and reads stdout, stderr and the exit status', async () => {
  const r = await python(
    `
import sys, paramiko
host, port, user, key, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
c = paramiko.SSHClient()
c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
c.connect(host, port=port, username=user, key_filename=key, look_for_keys=False, allow_agent=False)
_, out, err = c.exec_command(cmd)
status = out.channel.recv_exit_status()
print(repr((out.read().decode(), err.read().decode(), status)))
c.close()
`,
    '127.0.0.1',
    String(server.port),
    me,
    join(dir, 'id'),
    COMMAND,
  );
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.trim(), `('from ${me}\\n', 'to stderr\\n', 5)`);
});

test('AsyncSSH runs a command and reads stdout, stderr and the exit status', async () => {
  const r = await python(
    `
import sys, asyncio, asyncssh
host, port, user, key, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
async def main():
    async with asyncssh.connect(host, port=port, username=user, client_keys=[key],
                                known_hosts=None, agent_path=None) as conn:
        r = await conn.run(cmd, check=False)
        print(repr((r.stdout, r.stderr, r.exit_status)))
asyncio.run(main())
`,
    '127.0.0.1',
    String(server.port),
    me,
    join(dir, 'id'),
    COMMAND,
  );
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.trim(), `('from ${me}\\n', 'to stderr\\n', 5)`);
});
