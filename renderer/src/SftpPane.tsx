/**
 * The SFTP pane of one connection: the local and remote FilePanes side by side and the
 * transfer list. Upload / Download by button, context menu, or drag between the panes; files
 * from this computer by the remote pane's file chooser or dropped from the desktop onto it
 * (upload-files.ts);
 * New folder, Rename, Delete, Permissions on either side. Every call is the contract's
 * (remote* / local* / startTransfer); its error is shown as it came.
 */
import { useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import type {
  ConnectionInfo,
  DirectoryListing,
  FileEntry,
  ServiceApi,
  TransferInfo,
} from '../../core/service/api/contract.js';
import { DRAG_TYPE, FilePane, type PaneAction } from './FilePane.js';
import { ConfirmDialog, InputDialog } from './Modal.js';
import { joinPath, parentPath } from './paths.js';
import { TransferList } from './TransferList.js';
import { droppedFiles, uploadFiles } from './upload-files.js';

type Side = 'remote' | 'local';

interface Props {
  readonly api: ServiceApi;
  readonly connection: ConnectionInfo | undefined;
  readonly transfers: readonly TransferInfo[];
  readonly onError: (e: unknown) => void;
}

type Dialog =
  | { kind: 'mkdir'; side: Side }
  | { kind: 'rename'; side: Side; entry: FileEntry }
  | { kind: 'chmod'; side: Side; entry: FileEntry }
  | { kind: 'delete'; side: Side; entry: FileEntry };

const validName = (v: string) =>
  v.trim() === '' ? 'A name is needed.' : /[/\0]/.test(v) ? 'A name cannot contain / .' : null;

export function SftpPane({ api, connection, transfers, onError }: Props) {
  const connectionId = connection?.connectionId ?? '';
  const [listings, setListings] = useState<Record<Side, DirectoryListing | null>>({
    remote: null,
    local: null,
  });
  const [loading, setLoading] = useState<Record<Side, boolean>>({ remote: false, local: false });
  const [selected, setSelected] = useState<Record<Side, string | null>>({
    remote: null,
    local: null,
  });
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const dirs = useRef<Record<Side, string | null>>({ remote: null, local: null });

  const list = useCallback(
    (side: Side, path: string) => {
      setLoading((l) => ({ ...l, [side]: true }));
      const call =
        side === 'remote' ? api.remoteList({ connectionId, path }) : api.localList({ path });
      call
        .then((listing) => {
          dirs.current[side] = listing.path;
          setListings((l) => ({ ...l, [side]: listing }));
          setSelected((s) => ({ ...s, [side]: null }));
        }, onError)
        .finally(() => setLoading((l) => ({ ...l, [side]: false })));
    },
    [api, connectionId, onError],
  );
  const refresh = useCallback(
    (side: Side) => {
      const dir = dirs.current[side];
      if (dir !== null) list(side, dir);
    },
    [list],
  );

  const connected = connection?.state === 'connected';
  useEffect(() => {
    if (!connected) return;
    api
      .remoteHome({ connectionId })
      .then((home) => list('remote', dirs.current.remote ?? home), onError);
  }, [api, connected, connectionId, list, onError]);
  useEffect(() => {
    api.localHome({}).then((home) => list('local', home), onError);
  }, [api, list, onError]);

  // a finished transfer changes the pane it went to
  const done = transfers.filter((t) => t.state === 'done').length;
  useEffect(() => {
    if (done > 0) {
      refresh('remote');
      refresh('local');
    }
  }, [done, refresh]);

  const transfer = (direction: 'upload' | 'download', entry: FileEntry, resume = false) => {
    const localDir = dirs.current.local;
    const remoteDir = dirs.current.remote;
    if (localDir === null || remoteDir === null) return;
    const localPath = direction === 'upload' ? entry.path : joinPath(localDir, entry.name);
    const remotePath = direction === 'upload' ? joinPath(remoteDir, entry.name) : entry.path;
    api
      .startTransfer({
        connectionId,
        direction,
        localPath,
        remotePath,
        ...(entry.kind === 'directory' ? { recursive: true } : {}),
        ...(resume ? { resume: true } : {}),
      })
      .catch(onError);
  };

  const fileActions = (side: Side): PaneAction[] => [
    side === 'local'
      ? { label: 'Upload', needsEntry: true, run: (e) => e && transfer('upload', e) }
      : { label: 'Download', needsEntry: true, run: (e) => e && transfer('download', e) },
    { label: 'New folder', needsEntry: false, run: () => setDialog({ kind: 'mkdir', side }) },
    {
      label: 'Rename',
      needsEntry: true,
      run: (e) => e && setDialog({ kind: 'rename', side, entry: e }),
    },
    {
      label: 'Permissions',
      needsEntry: true,
      run: (e) => e && setDialog({ kind: 'chmod', side, entry: e }),
    },
    {
      label: 'Delete',
      needsEntry: true,
      run: (e) => e && setDialog({ kind: 'delete', side, entry: e }),
    },
  ];

  const op = (side: Side, call: () => Promise<void>) => {
    setDialog(null);
    call().then(() => refresh(side), onError);
  };

  const onDrop = (target: Side) => (ev: DragEvent<HTMLElement>) => {
    const raw = ev.dataTransfer.getData(DRAG_TYPE);
    if (raw) {
      const { side, entry } = JSON.parse(raw) as { side: Side; entry: FileEntry };
      if (side !== target) transfer(side === 'local' ? 'upload' : 'download', entry);
      return;
    }
    if (target === 'local') return;
    uploadFromComputer(droppedFiles(ev.dataTransfer, onError));
  };

  const uploadFromComputer = (files: readonly File[]) => {
    const remoteDir = dirs.current.remote;
    if (files.length === 0 || remoteDir === null) return;
    void uploadFiles(api, connectionId, remoteDir, files, onError);
  };

  const dialogView = () => {
    if (!dialog) return null;
    const { side } = dialog;
    const dir = dirs.current[side] ?? '/';
    const cancel = () => setDialog(null);
    switch (dialog.kind) {
      case 'mkdir':
        return (
          <InputDialog
            title="New folder"
            label={`Name of the new folder in ${dir}`}
            initial=""
            submitLabel="Create"
            validate={validName}
            onCancel={cancel}
            onSubmit={(name) => {
              const path = joinPath(dir, name.trim());
              op(side, () =>
                side === 'remote'
                  ? api.remoteMkdir({ connectionId, path })
                  : api.localMkdir({ path }),
              );
            }}
          />
        );
      case 'rename':
        return (
          <InputDialog
            title={`Rename ${dialog.entry.name}`}
            label="New name"
            initial={dialog.entry.name}
            submitLabel="Rename"
            validate={validName}
            onCancel={cancel}
            onSubmit={(name) => {
              const from = dialog.entry.path;
              const to = joinPath(parentPath(from), name.trim());
              op(side, () =>
                side === 'remote'
                  ? api.remoteRename({ connectionId, from, to })
                  : api.localRename({ from, to }),
              );
            }}
          />
        );
      case 'chmod':
        return (
          <InputDialog
            title={`Permissions of ${dialog.entry.name}`}
            label="Mode (octal, e.g. 644)"
            initial={(dialog.entry.mode ?? 0o644).toString(8)}
            submitLabel="Apply"
            validate={(v) => (/^[0-7]{3,4}$/.test(v.trim()) ? null : 'Three or four octal digits.')}
            onCancel={cancel}
            onSubmit={(v) => {
              const mode = parseInt(v.trim(), 8);
              const path = dialog.entry.path;
              op(side, () =>
                side === 'remote'
                  ? api.remoteChmod({ connectionId, path, mode })
                  : api.localChmod({ path, mode }),
              );
            }}
          />
        );
      case 'delete': {
        const { entry } = dialog;
        const recursive = entry.kind === 'directory';
        return (
          <ConfirmDialog
            title={`Delete ${entry.name}`}
            text={`Delete ${entry.path}${recursive ? ' and everything in it' : ''}? This cannot be undone.`}
            confirmLabel="Delete"
            onCancel={cancel}
            onConfirm={() =>
              op(side, () =>
                side === 'remote'
                  ? api.remoteDelete({ connectionId, path: entry.path, recursive })
                  : api.localDelete({ path: entry.path, recursive }),
              )
            }
          />
        );
      }
    }
  };

  return (
    <div className="sftp">
      {!connected && (
        <div className="banner" role="status">
          {connection ? `${connection.label} is ${connection.state}.` : 'Not connected.'}
        </div>
      )}
      <div className="panes">
        {(['local', 'remote'] as const).map((side) => (
          <FilePane
            key={side}
            side={side}
            title={side === 'remote' ? 'Remote files' : 'Local files'}
            listing={listings[side]}
            loading={loading[side]}
            selected={selected[side]}
            onSelect={(path) => setSelected((s) => ({ ...s, [side]: path }))}
            onNavigate={(path) => list(side, path)}
            actions={fileActions(side)}
            onDrop={onDrop(side)}
            {...(side === 'remote' ? { onUploadFiles: uploadFromComputer } : {})}
          />
        ))}
      </div>
      <TransferList
        transfers={transfers}
        onCancel={(t) => api.cancelTransfer({ transferId: t.transferId }).catch(onError)}
        onResume={(t) =>
          api
            .startTransfer({
              connectionId: t.connectionId,
              direction: t.direction,
              localPath: t.localPath,
              remotePath: t.remotePath,
              resume: true,
            })
            .catch(onError)
        }
      />
      {dialogView()}
    </div>
  );
}
