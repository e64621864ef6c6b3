/**
 * SSH agent client (draft-ietf-sshm-ssh-agent; OpenSSH PROTOCOL.agent): list identities and
 * sign over SSH_AUTH_SOCK or the Windows OpenSSH pipe; agent keys as Signers.
 */
export {
  AgentClient,
  defaultAgentPath,
  WINDOWS_AGENT_PIPE,
  type AgentClientOptions,
} from './client.js';
export {
  AgentMsg,
  MAX_AGENT_IDENTITIES,
  MAX_AGENT_REPLY_LEN,
  SSH_AGENT_RSA_SHA2_256,
  SSH_AGENT_RSA_SHA2_512,
  type AgentKey,
} from './protocol.js';
export { agentSignFlags, agentSigner, agentSigners, type AgentSigning } from './signer.js';
