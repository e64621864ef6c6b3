/**
 * SFTP version 3 (draft-ietf-secsh-filexfer-02) with OpenSSH's extensions (OpenSSH PROTOCOL §4):
 * the client and its pipelined reads and writes, transfers of files and trees (transfer/), and
 * the server the bundled sshd runs as its `sftp` subsystem.
 */
export {
  SFTP_VERSION,
  PacketType,
  StatusCode,
  AttrFlag,
  OpenFlag,
  StatvfsFlag,
  Extension,
  EXTENSION_VERSIONS,
  MAX_PACKET_LENGTH,
  FileType,
  type ExtensionName,
} from './constants.js';
export {
  SftpError,
  SftpEofError,
  SftpNoSuchFileError,
  SftpPermissionDeniedError,
  SftpFailureError,
  SftpBadMessageError,
  SftpNoConnectionError,
  SftpConnectionLostError,
  SftpOpUnsupportedError,
  SftpProtocolError,
  sftpErrorFromStatus,
  statusText,
} from './errors.js';
export {
  fileType,
  isDirectory,
  isRegularFile,
  isSymlink,
  type ExtendedAttribute,
  type FileAttributes,
} from './attrs.js';
export { pathBytes, pathText, type SftpPath } from './path-bytes.js';
export {
  SftpClient,
  SftpHandle,
  openSftp,
  DEFAULT_MAX_REQUESTS,
  DEFAULT_MAX_BYTES_IN_FLIGHT,
  type DirEntry,
  type OpenMode,
  type SftpClientOptions,
  type SftpLimits,
  type SftpStream,
  type StatVfs,
} from './client.js';
export {
  pipelinedRead,
  pipelinedWrite,
  type ReadPipelineOptions,
  type WritePipelineOptions,
} from './pipeline.js';
export {
  serveSftp,
  DEFAULT_MAX_HANDLES,
  type SftpServerOptions,
  type SftpStreams,
} from './server.js';
export * from './transfer/index.js';
