/**
 * Preload (sandboxed, CommonJS as Electron requires for sandboxed preloads): exposes one
 * frozen API object through contextBridge. No raw ipcRenderer reaches the page.
 */
import electron = require('electron');

const { contextBridge } = electron;

const api = Object.freeze({
  /** Engine version, for the status page until the service contract lands. */
  version: '0.1.0',
});

contextBridge.exposeInMainWorld('keyway', api);
