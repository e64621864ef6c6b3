/**
 * SFTP version 3 numbers (draft-ietf-secsh-filexfer-02 §3, §5, §6.3, §7) and the names of
 * OpenSSH's extensions (OpenSSH PROTOCOL §4).
 */

/** The only version Keyway speaks, as OpenSSH's sftp and sftp-server. */
export const SFTP_VERSION = 3;

export const PacketType = {
  INIT: 1,
  VERSION: 2,
  OPEN: 3,
  CLOSE: 4,
  READ: 5,
  WRITE: 6,
  LSTAT: 7,
  FSTAT: 8,
  SETSTAT: 9,
  FSETSTAT: 10,
  OPENDIR: 11,
  READDIR: 12,
  REMOVE: 13,
  MKDIR: 14,
  RMDIR: 15,
  REALPATH: 16,
  STAT: 17,
  RENAME: 18,
  READLINK: 19,
  SYMLINK: 20,
  STATUS: 101,
  HANDLE: 102,
  DATA: 103,
  NAME: 104,
  ATTRS: 105,
  EXTENDED: 200,
  EXTENDED_REPLY: 201,
} as const;
export type PacketTypeCode = (typeof PacketType)[keyof typeof PacketType];

/** SSH_FX_* status codes: 0–8 are version 3's; OpenSSH's sftp-server sends no others. */
export const StatusCode = {
  OK: 0,
  EOF: 1,
  NO_SUCH_FILE: 2,
  PERMISSION_DENIED: 3,
  FAILURE: 4,
  BAD_MESSAGE: 5,
  NO_CONNECTION: 6,
  CONNECTION_LOST: 7,
  OP_UNSUPPORTED: 8,
} as const;
export type StatusCodeValue = (typeof StatusCode)[keyof typeof StatusCode];

/** SSH_FILEXFER_ATTR_* flags (§5). */
export const AttrFlag = {
  SIZE: 0x1,
  UIDGID: 0x2,
  PERMISSIONS: 0x4,
  ACMODTIME: 0x8,
  EXTENDED: 0x8000_0000,
} as const;

/** SSH_FXF_* open flags (§6.3). */
export const OpenFlag = {
  READ: 0x01,
  WRITE: 0x02,
  APPEND: 0x04,
  CREAT: 0x08,
  TRUNC: 0x10,
  EXCL: 0x20,
} as const;

/** statvfs f_flag bits (OpenSSH PROTOCOL §4.4). */
export const StatvfsFlag = { RDONLY: 0x1, NOSUID: 0x2 } as const;

/** The extensions of OpenSSH PROTOCOL §4 with the versions Keyway implements. */
export const Extension = {
  POSIX_RENAME: 'posix-rename@openssh.com',
  STATVFS: 'statvfs@openssh.com',
  FSTATVFS: 'fstatvfs@openssh.com',
  HARDLINK: 'hardlink@openssh.com',
  FSYNC: 'fsync@openssh.com',
  LSETSTAT: 'lsetstat@openssh.com',
  LIMITS: 'limits@openssh.com',
  EXPAND_PATH: 'expand-path@openssh.com',
  COPY_DATA: 'copy-data',
  HOME_DIRECTORY: 'home-directory',
  USERS_GROUPS_BY_ID: 'users-groups-by-id@openssh.com',
} as const;
export type ExtensionName = (typeof Extension)[keyof typeof Extension];

export const EXTENSION_VERSIONS: Readonly<Record<ExtensionName, string>> = {
  [Extension.POSIX_RENAME]: '1',
  [Extension.STATVFS]: '2',
  [Extension.FSTATVFS]: '2',
  [Extension.HARDLINK]: '1',
  [Extension.FSYNC]: '1',
  [Extension.LSETSTAT]: '1',
  [Extension.LIMITS]: '1',
  [Extension.EXPAND_PATH]: '1',
  [Extension.COPY_DATA]: '1',
  [Extension.HOME_DIRECTORY]: '1',
  [Extension.USERS_GROUPS_BY_ID]: '1',
};

/**
 * OpenSSH's SFTP_MAX_MSG_LENGTH: the largest packet either side accepts (256 KiB). A longer
 * length prefix is a protocol error, never an allocation.
 */
export const MAX_PACKET_LENGTH = 256 * 1024;

/** The default read/write request size where the server gives no limits (OpenSSH's sftp). */
export const DEFAULT_CHUNK = 32 * 1024;

/** What limits@openssh.com reports from OpenSSH's sftp-server: 255 KiB reads and writes. */
export const OPENSSH_MAX_RW = 255 * 1024;

/** S_IFMT and the file types of the permissions field (POSIX; SFTP v3 carries st_mode). */
export const FileType = {
  MASK: 0o170000,
  SOCKET: 0o140000,
  SYMLINK: 0o120000,
  REGULAR: 0o100000,
  BLOCK: 0o060000,
  DIRECTORY: 0o040000,
  CHAR: 0o020000,
  FIFO: 0o010000,
} as const;
