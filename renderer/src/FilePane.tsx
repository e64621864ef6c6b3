/**
 * One side of the SFTP pane (a region "Remote files" or "Local files"): breadcrumbs and a path
 * box, a table with sortable columns (name, size, modified, permissions), double-click into
 * directories, selection, a context menu, and drag and drop (rows drag to the other pane; the
 * pane accepts drops), and where the parent asks for it a file chooser ("Upload from this
 * computer…"). What the actions do is the parent's (SftpPane).
 */
import { useRef, useState, type DragEvent } from 'react';
import type { DirectoryListing, FileEntry } from '../../core/service/api/contract.js';
import { crumbs, formatMode, formatSize, parentPath } from './paths.js';

export type SortKey = 'name' | 'size' | 'mtime' | 'mode';
export const DRAG_TYPE = 'application/x-keyway-entry';

export interface PaneAction {
  readonly label: string;
  readonly run: (entry: FileEntry | null) => void;
  /** Needs a selected entry. */
  readonly needsEntry: boolean;
}

interface Props {
  readonly title: 'Remote files' | 'Local files';
  readonly side: 'remote' | 'local';
  readonly listing: DirectoryListing | null;
  readonly loading: boolean;
  readonly selected: string | null;
  readonly onSelect: (path: string | null) => void;
  readonly onNavigate: (path: string) => void;
  readonly actions: readonly PaneAction[];
  readonly onDrop: (ev: DragEvent<HTMLElement>) => void;
  /** Files picked in this pane's file chooser; no chooser without it. */
  readonly onUploadFiles?: (files: readonly File[]) => void;
}

function compare(a: FileEntry, b: FileEntry, key: SortKey): number {
  if ((a.kind === 'directory') !== (b.kind === 'directory')) return a.kind === 'directory' ? -1 : 1;
  if (key === 'name') return a.name.localeCompare(b.name);
  const x = a[key] ?? -1;
  const y = b[key] ?? -1;
  return x - y || a.name.localeCompare(b.name);
}

export function FilePane(p: Props) {
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'name', desc: false });
  const [pathText, setPathText] = useState<string | null>(null);
  const [menu, setMenu] = useState<{ x: number; y: number; entry: FileEntry | null } | null>(null);
  const [dropping, setDropping] = useState(false);
  const chooser = useRef<HTMLInputElement>(null);
  const entries = [...(p.listing?.entries ?? [])].sort(
    (a, b) => compare(a, b, sort.key) * (sort.desc ? -1 : 1),
  );
  const selectedEntry = entries.find((e) => e.path === p.selected) ?? null;
  const open = (e: FileEntry) => {
    if (e.kind === 'directory' || e.kind === 'symlink') p.onNavigate(e.path);
  };
  const header = (key: SortKey, label: string) => (
    <th
      aria-sort={sort.key === key ? (sort.desc ? 'descending' : 'ascending') : 'none'}
      scope="col"
    >
      <button
        type="button"
        className="sort"
        onClick={() => setSort((s) => ({ key, desc: s.key === key ? !s.desc : false }))}
      >
        {label}
        {sort.key === key ? (sort.desc ? ' ▾' : ' ▴') : ''}
      </button>
    </th>
  );
  const path = p.listing?.path ?? '';

  return (
    <section
      className={`file-pane${dropping ? ' dropping' : ''}`}
      aria-label={p.title}
      onDragOver={(ev) => {
        ev.preventDefault();
        setDropping(true);
      }}
      onDragLeave={() => setDropping(false)}
      onDrop={(ev) => {
        ev.preventDefault();
        setDropping(false);
        p.onDrop(ev);
      }}
      onClick={() => setMenu(null)}
    >
      <header>
        <div className="pane-title">
          <h2>{p.title}</h2>
          {p.onUploadFiles && (
            <>
              <button
                type="button"
                className="small"
                title="Upload files from this computer"
                onClick={() => chooser.current?.click()}
              >
                Upload from this computer…
              </button>
              <input
                ref={chooser}
                type="file"
                multiple
                hidden
                aria-label="Files to upload"
                onChange={(ev) => {
                  const files = [...(ev.target.files ?? [])];
                  ev.target.value = '';
                  p.onUploadFiles?.(files);
                }}
              />
            </>
          )}
        </div>
        <nav aria-label={`${p.title} path`} className="crumbs">
          {crumbs(path).map((c) => (
            <button type="button" key={c.path} onClick={() => p.onNavigate(c.path)}>
              {c.name}
            </button>
          ))}
        </nav>
        <form
          onSubmit={(ev) => {
            ev.preventDefault();
            if (pathText && pathText.trim() !== '') p.onNavigate(pathText.trim());
            setPathText(null);
          }}
        >
          <input
            aria-label={`${p.title} location`}
            value={pathText ?? path}
            onChange={(ev) => setPathText(ev.target.value)}
            spellCheck={false}
          />
        </form>
      </header>
      <div className="toolbar">
        <button type="button" className="small" onClick={() => p.onNavigate(parentPath(path))}>
          Up
        </button>
        <button type="button" className="small" onClick={() => p.onNavigate(path)}>
          Refresh
        </button>
        {p.actions.map((a) => (
          <button
            type="button"
            className="small"
            key={a.label}
            disabled={a.needsEntry && !selectedEntry}
            onClick={() => a.run(selectedEntry)}
          >
            {a.label}
          </button>
        ))}
      </div>
      <div
        className="table-wrap"
        onContextMenu={(ev) => {
          ev.preventDefault();
          setMenu({ x: ev.clientX, y: ev.clientY, entry: null });
        }}
      >
        <table aria-busy={p.loading}>
          <thead>
            <tr>
              {header('name', 'Name')}
              {header('size', 'Size')}
              {header('mtime', 'Modified')}
              {header('mode', 'Permissions')}
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr
                key={e.path}
                aria-selected={e.path === p.selected}
                className={e.path === p.selected ? 'selected' : ''}
                draggable
                onDragStart={(ev) => {
                  ev.dataTransfer.setData(DRAG_TYPE, JSON.stringify({ side: p.side, entry: e }));
                  ev.dataTransfer.effectAllowed = 'copy';
                }}
                onClick={() => p.onSelect(e.path)}
                onDoubleClick={() => open(e)}
                onContextMenu={(ev) => {
                  ev.preventDefault();
                  ev.stopPropagation();
                  p.onSelect(e.path);
                  setMenu({ x: ev.clientX, y: ev.clientY, entry: e });
                }}
              >
                <td className={`name ${e.kind}`}>
                  <span aria-hidden="true">
                    {e.kind === 'directory' ? '📁 ' : e.kind === 'symlink' ? '↪ ' : ''}
                  </span>
                  {e.name}
                </td>
                <td className="num">{e.kind === 'directory' ? '' : formatSize(e.size)}</td>
                <td>{e.mtime === null ? '' : new Date(e.mtime * 1000).toLocaleString()}</td>
                <td className="mono">{formatMode(e.mode)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {p.listing && entries.length === 0 && <p className="hint">This folder is empty.</p>}
      </div>
      {menu && (
        <ul className="context-menu" role="menu" style={{ left: menu.x, top: menu.y }}>
          {p.actions
            .filter((a) => !a.needsEntry || menu.entry)
            .map((a) => (
              <li key={a.label} role="none">
                <button
                  type="button"
                  role="menuitem"
                  onClick={(ev) => {
                    ev.stopPropagation();
                    setMenu(null);
                    a.run(menu.entry);
                  }}
                >
                  {a.label}
                </button>
              </li>
            ))}
        </ul>
      )}
    </section>
  );
}
