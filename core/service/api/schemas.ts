/**
 * Run-time schemas (zod) for every argument the UI sends to the service (DESIGN.md runtime
 * picture: "main validates every argument that comes from the renderer; the renderer is
 * untrusted"). One strict object schema per method: unknown keys, wrong types, out-of-range
 * numbers, control characters in names and NUL in paths are refused before a handler runs.
 * The contract's argument types are inferred from these (contract.ts), so they cannot drift.
 *
 * This module runs in the service host and is imported by the renderer only as types; it
 * imports nothing but zod and contract.ts's constants (no Node), so it type-checks with the DOM
 * library alone.
 */
import { z } from 'zod';
import { UPLOAD_CHUNK_MAX } from './contract.js';

/** Ids the service hands out (connections, terminals, prompts, transfers, profiles). */
export const idSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a valid id');

/** A host name or address as typed: no whitespace, no control characters, no '@'. */
/** The most tunnels a saved host keeps. */
export const PROFILE_TUNNELS_MAX = 32;

export const hostSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^\s\p{Cc}@]+$/u, 'not a valid host name');

export const portSchema = z.number().int().min(1).max(65535);

/** A remote user name: what ssh(1) would send (no whitespace or control characters). */
export const userSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^\s\p{Cc}]+$/u, 'not a valid user name');

/** A local or remote path: not empty, no NUL, bounded. */
export const pathSchema = z
  .string()
  .min(1)
  .max(4096)
  .refine((s) => !s.includes('\0'), 'a path cannot contain NUL');

/** A short label shown in the UI (profile name, group). */
const labelSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^\P{Cc}+$/u, 'no control characters');

/** A file's own name (no directory): what a page knows of a File. */
const fileNameSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^/\\\p{Cc}]+$/u, 'not a file name')
  .refine((s) => s !== '.' && s !== '..', 'not a file name');

export const colourSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour is #rrggbb');

/** A saved host profile as the UI edits it; `id` absent creates one, present replaces it. */
export const profileInputSchema = z.strictObject({
  id: idSchema.optional(),
  name: labelSchema,
  host: hostSchema,
  port: portSchema.optional(),
  user: userSchema.optional(),
  identityFiles: z.array(pathSchema).max(16).optional(),
  /** ProxyJump syntax; the profiles store parses it (config/jump-spec.ts) before saving. */
  proxyJump: z
    .string()
    .min(1)
    .max(1000)
    .regex(/^[^\p{Cc}]*$/u, 'not a jump host list')
    .optional(),
  /** `-L spec`, `-R spec`, `-D spec`; the profiles store parses each (config/forward-spec.ts). */
  tunnels: z
    .array(
      z
        .string()
        .max(1100)
        .regex(/^\s*-[LRD][^\p{Cc}]*$/u, 'not -L, -R or -D and a specification'),
    )
    .max(PROFILE_TUNNELS_MAX)
    .optional(),
  group: labelSchema.optional(),
  colour: colourSchema.optional(),
});

/** What to connect to: a saved profile, a `Host` alias of ~/.ssh/config, or quick-connect text. */
export const targetSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('profile'), id: idSchema }),
  z.strictObject({ kind: z.literal('sshConfig'), alias: hostSchema }),
  z.strictObject({ kind: z.literal('quick'), text: z.string().min(1).max(600) }),
]);

/** The answer to a prompt event; its kind must match the prompt's. */
export const promptAnswerSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('hostKey'),
    /** save: accept and record in known_hosts; once: accept for this connection; reject. */
    decision: z.enum(['save', 'once', 'reject']),
    /** A changed key is accepted (once) only with its new fingerprint typed back. */
    confirmFingerprint: z.string().max(200).optional(),
  }),
  /** password or passphrase; null cancels. */
  z.strictObject({ kind: z.literal('secret'), value: z.string().max(4096).nullable() }),
  z.strictObject({
    kind: z.literal('keyboardInteractive'),
    answers: z.array(z.string().max(4096)).max(32).nullable(),
  }),
]);

/**
 * Where a tunnel listens: a bind address (null or absent: loopback, as ssh without
 * GatewayPorts; "" or "*": every address; else that address) and a port (0: any free one).
 */
const tunnelListenSchema = z.strictObject({
  host: z
    .string()
    .max(255)
    .regex(/^[^\s\p{Cc}@/]*$/u, 'not a valid bind address')
    .nullable()
    .optional(),
  port: z.number().int().min(0).max(65535),
});

/** What a tunnel connects to: a host and port, or a Unix socket path (OpenSSH's limit). */
const tunnelTargetSchema = z.union([
  z.strictObject({ host: hostSchema, port: portSchema }),
  z.strictObject({
    path: pathSchema.max(107).refine((p) => p.startsWith('/'), 'an absolute path'),
  }),
]);

/** A port forward (ssh -L / -R / -D); remote with connect null is a remote SOCKS proxy. */
export const tunnelSpecSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('local'),
    listen: tunnelListenSchema,
    connect: tunnelTargetSchema,
  }),
  z.strictObject({
    type: z.literal('remote'),
    listen: tunnelListenSchema,
    connect: tunnelTargetSchema.nullable(),
  }),
  z.strictObject({ type: z.literal('dynamic'), listen: tunnelListenSchema }),
]);

const cols = z.number().int().min(1).max(1000);
const rows = z.number().int().min(1).max(1000);
const connectionRef = { connectionId: idSchema };
const terminalRef = { terminalId: idSchema };

const empty = z.strictObject({});

/** One schema per invoke method: the method's single argument object. */
export const methodSchemas = {
  listHosts: empty,
  saveProfile: z.strictObject({ profile: profileInputSchema }),
  deleteProfile: z.strictObject({ id: idSchema }),
  parseQuickConnect: z.strictObject({ text: z.string().max(600) }),

  connect: z.strictObject({ target: targetSchema }),
  disconnect: z.strictObject(connectionRef),
  reconnect: z.strictObject(connectionRef),
  listConnections: empty,
  answerPrompt: z.strictObject({ promptId: idSchema, answer: promptAnswerSchema }),

  openTerminal: z.strictObject({
    ...connectionRef,
    cols,
    rows,
    term: z
      .string()
      .regex(/^[A-Za-z0-9._+-]{1,64}$/)
      .optional(),
  }),
  writeTerminal: z.strictObject({ ...terminalRef, data: z.string().max(1024 * 1024) }),
  resizeTerminal: z.strictObject({ ...terminalRef, cols, rows }),
  /** Bytes of terminalData the client has rendered (xterm's write callback). */
  ackTerminal: z.strictObject({
    ...terminalRef,
    bytes: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31),
  }),
  closeTerminal: z.strictObject(terminalRef),

  remoteHome: z.strictObject(connectionRef),
  remoteList: z.strictObject({ ...connectionRef, path: pathSchema }),
  remoteStat: z.strictObject({ ...connectionRef, path: pathSchema }),
  remoteMkdir: z.strictObject({ ...connectionRef, path: pathSchema }),
  remoteRename: z.strictObject({ ...connectionRef, from: pathSchema, to: pathSchema }),
  remoteDelete: z.strictObject({
    ...connectionRef,
    path: pathSchema,
    recursive: z.boolean().optional(),
  }),
  remoteChmod: z.strictObject({
    ...connectionRef,
    path: pathSchema,
    mode: z.number().int().min(0).max(0o7777),
  }),

  localHome: empty,
  localList: z.strictObject({ path: pathSchema }),
  localStat: z.strictObject({ path: pathSchema }),
  localMkdir: z.strictObject({ path: pathSchema }),
  localRename: z.strictObject({ from: pathSchema, to: pathSchema }),
  localDelete: z.strictObject({ path: pathSchema, recursive: z.boolean().optional() }),
  localChmod: z.strictObject({ path: pathSchema, mode: z.number().int().min(0).max(0o7777) }),

  startTransfer: z.strictObject({
    ...connectionRef,
    direction: z.enum(['upload', 'download']),
    localPath: pathSchema,
    remotePath: pathSchema,
    /** Trees (sftp -r). */
    recursive: z.boolean().optional(),
    /** Continue a partial file (reget / reput). */
    resume: z.boolean().optional(),
  }),
  cancelTransfer: z.strictObject({ transferId: idSchema }),
  listTransfers: empty,
  /** An upload of bytes the UI holds (a File in a page): no local path (stream-uploads.ts). */
  beginUpload: z.strictObject({
    ...connectionRef,
    remotePath: pathSchema,
    name: fileNameSchema,
    size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  }),
  /** The next chunk of a streamed upload, at the offset where the last one ended. */
  writeUpload: z.strictObject({
    transferId: idSchema,
    offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    data: z
      .instanceof(Uint8Array)
      .refine(
        (d) => d.length >= 1 && d.length <= UPLOAD_CHUNK_MAX,
        `a chunk is 1 to ${UPLOAD_CHUNK_MAX} bytes`,
      ),
  }),

  /** Starts a forward on a connection now, or when it connects; restored on reconnect. */
  addTunnel: z.strictObject({ ...connectionRef, spec: tunnelSpecSchema }),
  /** The tunnels of one connection, or of all. */
  listTunnels: z.strictObject({ connectionId: idSchema.optional() }),
  removeTunnel: z.strictObject({ tunnelId: idSchema }),
  /** Adds a tunnel to the saved host its connection was made as, so it opens on every connect. */
  saveTunnel: z.strictObject({ tunnelId: idSchema }),
} as const;

export type MethodName = keyof typeof methodSchemas;
/** What a caller passes (defaults not yet applied). */
export type MethodArgs<M extends MethodName> = z.input<(typeof methodSchemas)[M]>;
/** What a handler receives after validation. */
export type ValidArgs<M extends MethodName> = z.output<(typeof methodSchemas)[M]>;
export type ProfileInput = z.output<typeof profileInputSchema>;
export type Target = z.output<typeof targetSchema>;
export type PromptAnswer = z.output<typeof promptAnswerSchema>;
export type TunnelSpec = z.output<typeof tunnelSpecSchema>;
