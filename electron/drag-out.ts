/**
 * Dragging a remote file out of the SFTP pane onto the desktop (Electron's "native file drag
 * & drop": webContents.startDrag needs a local file that already exists). The file is
 * downloaded through the service's own transfer queue (startTransfer, so the download shows
 * in the transfer list and arguments are validated by the dispatch) into a fresh directory
 * under `tempRoot`, under the remote file's base name; this resolves with its local path once
 * the transfer is done and rejects with the transfer's error rebuilt when it fails. main.ts
 * removes `tempRoot` when the app quits.
 *
 * No Electron import: the drag itself is main.ts's callback.
 */
import { mkdtemp } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { z } from 'zod';
import type { ServiceEvents, TransferInfo } from '../core/service/api/contract.js';
import { rebuildError } from '../core/service/api/errors.js';
import { idSchema, pathSchema } from '../core/service/api/schemas.js';
import { InvalidArgumentError } from '../core/service/errors.js';
import type { Service } from '../core/service/service.js';

export const dragOutSchema = z.strictObject({ connectionId: idSchema, path: pathSchema });

/** A file name safe to create locally for a remote path's base name. */
export function localNameFor(remotePath: string): string {
  const base = posix.basename(remotePath.replace(/\/+$/, ''));
  const clean = base.replace(/[\\/:*?"<>|\p{Cc}]/gu, '_');
  return clean === '' || clean === '.' || clean === '..' ? 'download' : clean;
}

const FINAL = new Set(['done', 'failed', 'cancelled']);

/** Downloads `args.path` of `args.connectionId` to a new temp file; resolves with its path. */
export async function downloadForDrag(
  service: Pick<Service, 'dispatch' | 'events'>,
  args: unknown,
  tempRoot: string,
): Promise<string> {
  const parsed = dragOutSchema.safeParse(args);
  if (!parsed.success) {
    throw new InvalidArgumentError('dragOut: needs {connectionId, path}', {
      method: 'dragOut',
      issues: parsed.error.issues.slice(0, 10).map((i) => ({
        path: i.path.map(String).join('.'),
        message: i.message,
      })),
    });
  }
  const { connectionId, path } = parsed.data;
  const dir = await mkdtemp(join(tempRoot, 'drag-'));
  const localPath = join(dir, localNameFor(path));

  // events may arrive before startTransfer resolves: record final states from the start
  const finals = new Map<string, TransferInfo>();
  let wake: () => void = () => {};
  const unsubscribe = service.events.subscribe((name, payload) => {
    if (name !== 'transfer') return;
    const t = payload as ServiceEvents['transfer'];
    if (FINAL.has(t.state)) {
      finals.set(t.transferId, t);
      wake();
    }
  });
  try {
    const started = (await service.dispatch('startTransfer', {
      connectionId,
      direction: 'download',
      localPath,
      remotePath: path,
    })) as TransferInfo;
    let final = FINAL.has(started.state) ? started : finals.get(started.transferId);
    while (final === undefined) {
      await new Promise<void>((resolve) => (wake = resolve));
      final = finals.get(started.transferId);
    }
    if (final.state !== 'done') {
      throw final.error
        ? rebuildError(final.error)
        : rebuildError({
            name: 'TransferCancelled',
            code: 'TRANSFER_CANCELLED',
            message: `the download of ${path} was cancelled`,
          });
    }
    return localPath;
  } finally {
    unsubscribe();
  }
}
