/**
 * Options for running `keyway ssh` (or copy-id) unattended in a test: no config file, the
 * test's own known_hosts, BatchMode and IdentitiesOnly, on the harness's port.
 */
export function batchSshOptions(
  port: number,
  knownHosts: string,
  strict: 'yes' | 'no' = 'no',
): string[] {
  return [
    '-F',
    '/dev/null',
    '-p',
    String(port),
    '-o',
    `StrictHostKeyChecking=${strict}`,
    '-o',
    `UserKnownHostsFile=${knownHosts}`,
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
  ];
}
