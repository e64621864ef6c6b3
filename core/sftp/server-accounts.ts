/**
 * User and group names for an SFTP server: /etc/passwd and /etc/group (passwd(5), group(5)),
 * read once per session and only when needed. They name owners in READDIR's ls-style
 * longnames, answer users-groups-by-id@openssh.com (OpenSSH PROTOCOL §4.11) and give the
 * homes for `~user` in expand-path@openssh.com and for home-directory.
 */
import { readFile } from 'node:fs/promises';

export interface Account {
  readonly name: string;
  readonly uid: number;
  readonly home: string;
}

export interface Accounts {
  readonly users: ReadonlyMap<number, string>;
  readonly groups: ReadonlyMap<number, string>;
  readonly byName: ReadonlyMap<string, Account>;
}

async function lines(path: string): Promise<string[][]> {
  try {
    return (await readFile(path, 'utf8'))
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => l.split(':'));
  } catch {
    return [];
  }
}

async function load(passwd: string, group: string): Promise<Accounts> {
  const users = new Map<number, string>();
  const groups = new Map<number, string>();
  const byName = new Map<string, Account>();
  for (const f of await lines(passwd)) {
    const [name, , uidText, , , home] = f;
    const uid = Number(uidText);
    if (name === undefined || name === '' || !Number.isInteger(uid)) continue;
    if (!users.has(uid)) users.set(uid, name);
    if (!byName.has(name)) byName.set(name, { name, uid, home: home ?? '/' });
  }
  for (const f of await lines(group)) {
    const [name, , gidText] = f;
    const gid = Number(gidText);
    if (name === undefined || name === '' || !Number.isInteger(gid)) continue;
    if (!groups.has(gid)) groups.set(gid, name);
  }
  return { users, groups, byName };
}

/** Loads the account files on first use and keeps them for the session. */
export class AccountCache {
  private loading: Promise<Accounts> | null = null;

  constructor(
    private readonly passwd = '/etc/passwd',
    private readonly group = '/etc/group',
  ) {}

  get(): Promise<Accounts> {
    this.loading ??= load(this.passwd, this.group);
    return this.loading;
  }
}
