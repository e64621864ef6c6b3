/**
 * Uploads of files the page holds as `File` objects (picked in the remote pane's file chooser
 * or dropped from the desktop onto it). Where the host can name a file's local path (Electron's
 * preload) it goes through the transfer queue like any upload (startTransfer, resumable); a
 * browser tab is never told the path, so its bytes are streamed to the service in chunks of
 * UPLOAD_CHUNK_MAX, one at a time (beginUpload / writeUpload, core/service/files/
 * stream-uploads.ts). Files go one after another; folders dropped from the desktop cannot be
 * read by a page and are reported.
 */
import type { ServiceApi } from '../../core/service/api/contract.js';
import { joinPath } from './paths.js';
import { localPathOfDroppedFile } from './transport.js';

/**
 * Bytes per writeUpload: the contract's UPLOAD_CHUNK_MAX (the renderer imports the contract
 * only as types, so the value is repeated here; the service refuses anything bigger).
 */
const UPLOAD_CHUNK_MAX = 256 * 1024;

/** The upload was cancelled (or timed out) in the service: its transfer event says so. */
const gone = (e: unknown) => (e as { code?: unknown } | null)?.code === 'NOT_FOUND';

async function uploadOne(
  api: ServiceApi,
  connectionId: string,
  remoteDir: string,
  file: File,
): Promise<void> {
  const remotePath = joinPath(remoteDir, file.name);
  const localPath = localPathOfDroppedFile(file);
  if (localPath !== null) {
    await api.startTransfer({ connectionId, direction: 'upload', localPath, remotePath });
    return;
  }
  const { transferId } = await api.beginUpload({
    connectionId,
    remotePath,
    name: file.name,
    size: file.size,
  });
  for (let offset = 0; offset < file.size; offset += UPLOAD_CHUNK_MAX) {
    const data = new Uint8Array(await file.slice(offset, offset + UPLOAD_CHUNK_MAX).arrayBuffer());
    try {
      await api.writeUpload({ transferId, offset, data });
    } catch (e) {
      if (gone(e)) return;
      throw e;
    }
  }
}

/** Uploads `files` into `remoteDir` in turn; one file's error does not stop the others. */
export async function uploadFiles(
  api: ServiceApi,
  connectionId: string,
  remoteDir: string,
  files: readonly File[],
  onError: (e: unknown) => void,
): Promise<void> {
  for (const f of files) {
    try {
      await uploadOne(api, connectionId, remoteDir, f);
    } catch (e) {
      onError(e);
    }
  }
}

/**
 * The files of a desktop drop, with an error for each folder in it (a page can read the
 * bytes of a dropped file, not walk a dropped folder).
 */
export function droppedFiles(dt: DataTransfer, onError: (e: unknown) => void): File[] {
  const files: File[] = [];
  const items = [...dt.items].filter((i) => i.kind === 'file');
  items.forEach((item) => {
    const file = item.getAsFile();
    if (file === null) return;
    if (item.webkitGetAsEntry()?.isDirectory === true) {
      onError(
        new Error(
          `Cannot upload the folder "${file.name}" dropped onto the page: a browser tab can read dropped files, not folders. Pick it in Local files and press Upload, or use the Keyway desktop app.`,
        ),
      );
      return;
    }
    files.push(file);
  });
  return items.length > 0 ? files : [...dt.files];
}
