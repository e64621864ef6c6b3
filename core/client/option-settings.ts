/**
 * The part of connect()'s options that comes straight from ssh_config(5) values (the
 * SshOptions of core/config): PubkeyAcceptedAlgorithms, NumberOfPasswordPrompts, the
 * algorithm lists, ConnectTimeout, RekeyLimit and ServerAliveInterval/CountMax. `keyway ssh`
 * and the app's service both build their connections with it.
 */
import type { SshOptions } from '../config/ssh-options.js';
import type { ConnectOptions } from './connect.js';

export type OptionSettings = Pick<
  ConnectOptions,
  | 'pubkeyAlgorithms'
  | 'maxPrompts'
  | 'algorithms'
  | 'connectTimeoutMs'
  | 'rekeyLimitBytes'
  | 'rekeyIntervalMs'
  | 'keepalive'
>;

export function optionSettings(o: SshOptions): OptionSettings {
  return {
    ...(o.pubkeyAcceptedAlgorithms
      ? { pubkeyAlgorithms: o.pubkeyAcceptedAlgorithms.split(',') }
      : {}),
    ...(o.numberOfPasswordPrompts !== undefined ? { maxPrompts: o.numberOfPasswordPrompts } : {}),
    algorithms: {
      ...(o.kexAlgorithms ? { kex: o.kexAlgorithms } : {}),
      ...(o.ciphers ? { ciphers: o.ciphers } : {}),
      ...(o.macs ? { macs: o.macs } : {}),
      ...(o.hostKeyAlgorithms ? { hostKey: o.hostKeyAlgorithms } : {}),
    },
    ...(o.connectTimeout ? { connectTimeoutMs: o.connectTimeout * 1000 } : {}),
    ...(o.rekeyLimit?.bytes ? { rekeyLimitBytes: o.rekeyLimit.bytes } : {}),
    ...(o.rekeyLimit?.seconds ? { rekeyIntervalMs: o.rekeyLimit.seconds * 1000 } : {}),
    ...(o.serverAliveInterval
      ? {
          keepalive: {
            intervalMs: o.serverAliveInterval * 1000,
            countMax: o.serverAliveCountMax ?? 3,
          },
        }
      : {}),
  };
}
