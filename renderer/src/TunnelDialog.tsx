/**
 * Add a tunnel to a connection (ssh -L / -R / -D, api/contract.ts addTunnel): the kind, where
 * it listens (a bind address, empty for loopback as ssh without GatewayPorts, and a port) and,
 * for -L and -R, where it leads (host and port, or a Unix socket path). An -R with no target is
 * a SOCKS proxy on the server's side, as `ssh -R port` is. Fields are checked here first; the
 * service validates again and its error is shown in the dialog, which stays open.
 */
import { useState } from 'react';
import { describeError } from './describe-error.js';
import { FormFooter, Modal, TextField } from './Modal.js';
import { tunnelSpecOf, type TunnelKind as Kind, type TunnelSpec } from './tunnel-spec.js';

interface Props {
  /** The connection's user@host, for the title. */
  readonly label: string;
  readonly onAdd: (spec: TunnelSpec) => Promise<unknown>;
  readonly onCancel: () => void;
}

const LOOPBACK = 'Without a bind address it listens on loopback only.';
const HINTS: Record<Kind, string> = {
  local: `The target is reached from the server. ${LOOPBACK}`,
  remote: 'The target is reached from this computer. The server decides where it binds.',
  dynamic: `Applications use it as a SOCKS4 or SOCKS5 proxy. ${LOOPBACK}`,
};

const KINDS: Record<Kind, { readonly flag: string; readonly text: string }> = {
  local: { flag: '-L', text: 'Local: a port here reaches a host from the server' },
  remote: { flag: '-R', text: 'Remote: a port on the server reaches a host from here' },
  dynamic: { flag: '-D', text: 'Dynamic: a SOCKS proxy here, out through the server' },
};

export function TunnelDialog({ label, onAdd, onCancel }: Props) {
  const [kind, setKind] = useState<Kind>('local');
  const [bind, setBind] = useState('');
  const [port, setPort] = useState('');
  const [targetHost, setTargetHost] = useState('');
  const [targetPort, setTargetPort] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** A field's setter that also clears the last error: it was about what is being changed. */
  const edit =
    (set: (v: string) => void) =>
    (v: string): void => {
      set(v);
      setError(null);
    };

  const submit = () => {
    const spec = tunnelSpecOf({ kind, bind, port, targetHost, targetPort });
    if (typeof spec === 'string') return setError(spec);
    setError(null);
    setBusy(true);
    onAdd(spec).then(
      () => setBusy(false),
      (e: unknown) => {
        setBusy(false);
        setError(describeError(e));
      },
    );
  };

  return (
    <Modal title={`Add tunnel to ${label}`} onCancel={onCancel}>
      <form
        className="tunnel-form"
        onSubmit={(ev) => {
          ev.preventDefault();
          submit();
        }}
      >
        <fieldset className="kinds">
          <legend>Kind</legend>
          {(Object.keys(KINDS) as Kind[]).map((k) => (
            <label key={k}>
              <input
                type="radio"
                name="kind"
                value={k}
                checked={kind === k}
                onChange={() => {
                  setKind(k);
                  setError(null);
                }}
              />
              <code>{KINDS[k].flag}</code> {KINDS[k].text}
            </label>
          ))}
        </fieldset>
        <div className="row">
          <TextField
            label={kind === 'remote' ? 'Server bind address' : 'Bind address'}
            value={bind}
            onChange={edit(setBind)}
            placeholder="loopback"
            spellCheck={false}
          />
          <TextField
            label={kind === 'remote' ? 'Server port' : 'Port'}
            value={port}
            onChange={edit(setPort)}
            placeholder={kind === 'remote' ? '0: any' : '8080'}
            inputMode="numeric"
          />
        </div>
        {kind !== 'dynamic' && (
          <div className="row">
            <TextField
              label="Target host or socket path"
              value={targetHost}
              onChange={edit(setTargetHost)}
              placeholder={kind === 'remote' ? 'none: a SOCKS proxy' : 'localhost'}
              spellCheck={false}
            />
            <TextField
              label="Target port"
              value={targetPort}
              onChange={edit(setTargetPort)}
              placeholder="80"
              inputMode="numeric"
            />
          </div>
        )}
        <p className="hint">{HINTS[kind]}</p>
        <FormFooter error={error} submit="Add" disabled={busy} onCancel={onCancel} />
      </form>
    </Modal>
  );
}
