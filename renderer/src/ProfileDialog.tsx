/**
 * Add or edit a saved host profile: name, host, port, user, identity files (one per line),
 * jump hosts (ssh -J's syntax), tunnels (one per line, as ssh's -L / -R / -D write them), group
 * and colour. The service validates every field
 * (api/schemas.ts, and the jump hosts as -J reads them); its error is shown in the dialog,
 * which stays open so nothing typed is lost.
 */
import { useState } from 'react';
import type { Profile, ProfileInput } from '../../core/service/api/contract.js';
import { describeError } from './describe-error.js';
import { FormFooter, Modal, TextField } from './Modal.js';

interface Props {
  readonly profile: Profile | null;
  readonly onSave: (p: ProfileInput) => Promise<unknown>;
  readonly onCancel: () => void;
}

const TUNNELS_LABEL =
  'Tunnels, opened on connect (one per line: -L 8080:db:5432, -R 0:localhost:22, -D 1080)';

/** A labelled two-line text area for a list, one entry per line. */
function LinesField(p: { label: string; value: string; onChange: (v: string) => void }) {
  return (
    <label className="field">
      <span>{p.label}</span>
      <textarea
        value={p.value}
        onChange={(ev) => p.onChange(ev.target.value)}
        rows={2}
        spellCheck={false}
      />
    </label>
  );
}

/** A text area's non-empty lines, trimmed. */
function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

export function ProfileDialog({ profile, onSave, onCancel }: Props) {
  const [name, setName] = useState(profile?.name ?? '');
  const [host, setHost] = useState(profile?.host ?? '');
  const [port, setPort] = useState(profile?.port !== undefined ? String(profile.port) : '');
  const [user, setUser] = useState(profile?.user ?? '');
  const [identities, setIdentities] = useState((profile?.identityFiles ?? []).join('\n'));
  const [jump, setJump] = useState(profile?.proxyJump ?? '');
  const [tunnels, setTunnels] = useState((profile?.tunnels ?? []).join('\n'));
  const [group, setGroup] = useState(profile?.group ?? '');
  const [colour, setColour] = useState(profile?.colour ?? '');
  const [error, setError] = useState<string | null>(null);

  const submit = () => {
    if (port !== '' && !/^\d{1,5}$/.test(port))
      return setError('The port is a number, 1 to 65535.');
    const files = lines(identities);
    const input: ProfileInput = {
      ...(profile ? { id: profile.id } : {}),
      name: name.trim() || host.trim(),
      host: host.trim(),
      ...(port !== '' ? { port: Number(port) } : {}),
      ...(user.trim() !== '' ? { user: user.trim() } : {}),
      ...(files.length > 0 ? { identityFiles: files } : {}),
      ...(jump.trim() !== '' ? { proxyJump: jump.trim() } : {}),
      ...(lines(tunnels).length > 0 ? { tunnels: lines(tunnels) } : {}),
      ...(group.trim() !== '' ? { group: group.trim() } : {}),
      ...(colour !== '' ? { colour } : {}),
    };
    onSave(input).catch((e: unknown) => setError(describeError(e)));
  };

  return (
    <Modal title={profile ? `Edit ${profile.name}` : 'Add host'} onCancel={onCancel}>
      <form
        className="profile-form"
        onSubmit={(ev) => {
          ev.preventDefault();
          submit();
        }}
      >
        <TextField label="Name" value={name} onChange={setName} placeholder="(the host)" />
        <TextField label="Host" value={host} onChange={setHost} required spellCheck={false} />
        <div className="row">
          <TextField
            label="Port"
            value={port}
            onChange={setPort}
            placeholder="22"
            inputMode="numeric"
          />
          <TextField label="User" value={user} onChange={setUser} spellCheck={false} />
        </div>
        <LinesField
          label="Identity files (one per line)"
          value={identities}
          onChange={setIdentities}
        />
        <TextField
          label="Jump hosts (ProxyJump)"
          value={jump}
          onChange={setJump}
          placeholder="user@bastion:22, … (none: no config jump host)"
          spellCheck={false}
        />
        <LinesField label={TUNNELS_LABEL} value={tunnels} onChange={setTunnels} />
        <div className="row">
          <TextField label="Group" value={group} onChange={setGroup} />
          <TextField label="Colour" value={colour} onChange={setColour} placeholder="#3b82f6" />
        </div>
        <FormFooter error={error} submit="Save" disabled={host.trim() === ''} onCancel={onCancel} />
      </form>
    </Modal>
  );
}
