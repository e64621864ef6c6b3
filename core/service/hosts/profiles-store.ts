/**
 * Saved host profiles: `profiles.json` in the app data directory (config/app-dirs.ts).
 *
 *   { "version": 1, "profiles": [ { "id", "name", "host", "port"?, "user"?,
 *                                   "identityFiles"?, "proxyJump"?, "tunnels"?, "group"?,
 *                                   "colour"? }, … ] }
 *
 * Written atomically (temp + rename, mode 0600). A file that does not parse or does not match
 * the schema is never overwritten or lost: it is renamed aside to
 * `profiles.json.broken-<time>`, the problem is reported (HostList.problems), and the store
 * starts empty. Writes are serialised.
 */
import { randomUUID } from 'node:crypto';
import { readFile, rename } from 'node:fs/promises';
import { z } from 'zod';
import type { Profile } from '../api/contract.js';
import {
  idSchema,
  PROFILE_TUNNELS_MAX,
  profileInputSchema,
  type ProfileInput,
} from '../api/schemas.js';
import { writeFileAtomic } from '../atomic-write.js';
import { parseJumpSpec } from '../../config/jump-spec.js';
import { parseTunnelFlag } from '../tunnels/tunnel-spec.js';
import { ConfigError } from '../../errors.js';
import { InvalidArgumentError, NotFoundError, ProfilesError } from '../errors.js';

export const MAX_PROFILES_BYTES = 4 * 1024 * 1024;

const fileSchema = z.strictObject({
  version: z.literal(1),
  profiles: z.array(profileInputSchema.extend({ id: idSchema })).max(10_000),
});

export class ProfilesStore {
  private profiles: Profile[] | null = null;
  private readonly problems: string[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  /** The profiles, loading the file the first time. */
  async list(): Promise<{ profiles: readonly Profile[]; problems: readonly string[] }> {
    return { profiles: [...(await this.load())], problems: [...this.problems] };
  }

  async get(id: string): Promise<Profile> {
    const p = (await this.load()).find((x) => x.id === id);
    if (!p) throw new NotFoundError('profile', id);
    return p;
  }

  /** Adds (no id) or replaces (id) a profile; resolves with it as stored. */
  save(input: ProfileInput): Promise<Profile> {
    return this.serialised(async () => {
      const jump = input.proxyJump;
      if (jump !== undefined) checked(() => parseJumpSpec(jump, 'jump hosts'), { proxyJump: jump });
      for (const t of input.tunnels ?? []) checked(() => parseTunnelFlag(t), { tunnel: t });
      const list = await this.load();
      const profile = clean({ ...input, id: input.id ?? randomUUID() });
      const i = list.findIndex((p) => p.id === profile.id);
      if (input.id !== undefined && i < 0) throw new NotFoundError('profile', input.id);
      const next = i < 0 ? [...list, profile] : list.map((p, j) => (j === i ? profile : p));
      await this.write(next);
      return profile;
    });
  }

  /**
   * Adds a tunnel line to profile `id`, unless `isSame` says one of its lines is already that
   * tunnel; resolves with the profile as stored and whether the line was added. A read, check
   * and write in one turn of the queue, so no save in between is lost.
   */
  addTunnel(
    id: string,
    line: string,
    isSame: (existing: string) => boolean,
  ): Promise<{ profile: Profile; added: boolean }> {
    return this.serialised(async () => {
      const list = await this.load();
      const p = list.find((x) => x.id === id);
      if (!p) throw new NotFoundError('profile', id);
      const tunnels = p.tunnels ?? [];
      if (tunnels.some(isSame)) return { profile: p, added: false };
      if (tunnels.length >= PROFILE_TUNNELS_MAX) {
        throw new InvalidArgumentError(
          `the saved host "${p.name}" has ${tunnels.length} tunnels, the most it can keep`,
          { id },
        );
      }
      checked(() => parseTunnelFlag(line), { tunnel: line });
      const profile: Profile = { ...p, tunnels: [...tunnels, line] };
      await this.write(list.map((x) => (x.id === id ? profile : x)));
      return { profile, added: true };
    });
  }

  delete(id: string): Promise<void> {
    return this.serialised(async () => {
      const list = await this.load();
      if (!list.some((p) => p.id === id)) throw new NotFoundError('profile', id);
      await this.write(list.filter((p) => p.id !== id));
    });
  }

  private serialised<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(next: Profile[]): Promise<void> {
    const text = JSON.stringify({ version: 1, profiles: next }, null, 2) + '\n';
    try {
      await writeFileAtomic(this.file, text);
    } catch (e) {
      throw new ProfilesError(`cannot write ${this.file}: ${(e as Error).message}`, {
        file: this.file,
      });
    }
    this.profiles = next;
  }

  private async load(): Promise<Profile[]> {
    if (this.profiles) return this.profiles;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new ProfilesError(`cannot read ${this.file}: ${(e as Error).message}`, {
          file: this.file,
        });
      }
      return (this.profiles = []);
    }
    const why = problemWith(text);
    if (why === null) {
      return (this.profiles = fileSchema.parse(JSON.parse(text)).profiles.map(clean));
    }
    const aside = `${this.file}.broken-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      await rename(this.file, aside);
      this.problems.push(`${this.file} could not be read (${why}); it was kept as ${aside}`);
    } catch (e) {
      // cannot move it: keep it where it is and refuse to write over it
      throw new ProfilesError(
        `${this.file} could not be read (${why}) and not moved aside: ${(e as Error).message}`,
        { file: this.file },
      );
    }
    return (this.profiles = []);
  }
}

/** Why the text is not a profiles file, or null. */
function problemWith(text: string): string | null {
  if (text.length > MAX_PROFILES_BYTES) return 'too big';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return `not JSON: ${(e as Error).message}`;
  }
  const r = fileSchema.safeParse(json);
  if (r.success) return null;
  const i = r.error.issues[0];
  return i ? `${i.path.map(String).join('.') || '(root)'}: ${i.message}` : 'invalid';
}

/**
 * A profile field parsed as ssh parses it (jump hosts as -J, tunnels as -L / -R / -D): its
 * ConfigError becomes an InvalidArgumentError naming the field.
 */
function checked(parse: () => unknown, details: Record<string, string>): void {
  try {
    parse();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new InvalidArgumentError(e.message, details);
  }
}

/** The profile with absent fields left out (never `undefined` values). */
function clean(p: ProfileInput & { id: string }): Profile {
  return {
    id: p.id,
    name: p.name,
    host: p.host,
    ...(p.port !== undefined ? { port: p.port } : {}),
    ...(p.user !== undefined ? { user: p.user } : {}),
    ...(p.identityFiles !== undefined ? { identityFiles: [...p.identityFiles] } : {}),
    ...(p.proxyJump !== undefined ? { proxyJump: p.proxyJump.trim() } : {}),
    ...(p.tunnels !== undefined && p.tunnels.length > 0
      ? { tunnels: p.tunnels.map((t) => t.trim()) }
      : {}),
    ...(p.group !== undefined ? { group: p.group } : {}),
    ...(p.colour !== undefined ? { colour: p.colour } : {}),
  };
}
