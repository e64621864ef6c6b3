/**
 * The renderer's status page, shown until the terminal and SFTP UI land (the app issue).
 * Runs sandboxed with DOM types only: no Node API type-checks here.
 */
interface KeywayApi {
  readonly version: string;
}

const api = (window as unknown as { keyway?: KeywayApi }).keyway;
const root = document.getElementById('status');
if (root) {
  const h = document.createElement('h1');
  h.textContent = `Keyway ${api?.version ?? ''}`.trim();
  const p = document.createElement('p');
  p.textContent =
    'The SSH engine is being built bottom-up. Terminal tabs and the SFTP pane are not here yet; ' +
    'the command line has `keyway keyscan`.';
  root.append(h, p);
}
