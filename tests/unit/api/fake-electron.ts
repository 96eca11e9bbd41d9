/**
 * A recording stand-in for the 'electron' module, so the bundled main process runs on plain Node (no Electron
 * binary can run here). Everything behind that seam is real: the bundle esbuild made, the services with their
 * SQLite database, the IPC handlers, the protocol handlers, electron-updater (whose HTTP goes through a
 * `net.request` made of Node's http.request).
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import Module, { createRequire } from 'node:module';

export type Handler = (...args: unknown[]) => unknown;

export interface FakeElectronOptions {
  userData: string;
  /** app.getAppPath(): the repo in development, <resources>/app.asar when packaged. */
  appPath: string;
  gotSingleInstanceLock?: boolean;
  isPackaged?: boolean;
  /** The script a utility process runs through: gives a forked Node child process.parentPort. */
  utilityShim?: string;
  /** process.resourcesPath inside utility processes (Electron sets it in every process of a packaged app). */
  resourcesPath?: string;
}

interface WindowOptions {
  webPreferences: Record<string, unknown> & { additionalArguments: string[]; preload: string };
}

export class FakeWindow {
  url?: string;
  readonly sent: [string, unknown][] = [];
  /** setProgressBar calls as [value, mode]; the window is in the background (not focused) unless a test says so. */
  readonly progressBar: [number, string | undefined][] = [];
  focused = false;
  isFocused() {
    return this.focused;
  }
  isMinimized() {
    return false;
  }
  isVisible() {
    return true;
  }
  setProgressBar(value: number, options?: { mode?: string }) {
    this.progressBar.push([value, options?.mode]);
  }
  show() {}
  restore() {}
  focus() {}
  readonly webContents = { send: (channel: string, payload: unknown) => this.sent.push([channel, payload]) };
  constructor(readonly options: WindowOptions) {}
  once() {}
  loadURL(url: string) {
    this.url = url;
    return Promise.resolve();
  }
  isDestroyed() {
    return false;
  }
}

/** Records what main asks of Electron. */
export class FakeElectron {
  readonly schemes: { scheme: string; privileges: Record<string, boolean> }[] = [];
  readonly ipcHandlers = new Map<string, Handler>();
  readonly protocolHandlers = new Map<string, (request: Request) => Promise<Response>>();
  readonly appHandlers = new Map<string, Handler>();
  readonly windows: FakeWindow[] = [];
  readonly errors: string[] = [];
  readonly openedExternally: string[] = [];
  readonly forked: string[] = [];
  /** URLs electron-updater fetched through net.request. */
  readonly netRequests: string[] = [];
  /** OS notifications shown, as "title: body". */
  readonly notifications: string[] = [];
  permissionHandler?: Handler;
  permissionCheckHandler?: Handler;
  devicePermissionHandler?: Handler;
  appUserModelId?: string;
  menu?: unknown;
  quitCalls = 0;

  constructor(private readonly options: FakeElectronOptions) {}

  module() {
    const fake = this;
    const options = this.options;
    class BrowserWindow extends FakeWindow {
      constructor(windowOptions: WindowOptions) {
        super(windowOptions);
        fake.windows.push(this);
      }
      static getAllWindows() {
        return fake.windows;
      }
    }
    const session = {
      setPermissionRequestHandler: (handler: Handler) => (fake.permissionHandler = handler),
      setPermissionCheckHandler: (handler: Handler) => (fake.permissionCheckHandler = handler),
      setDevicePermissionHandler: (handler: Handler) => (fake.devicePermissionHandler = handler),
    };
    return {
      app: {
        name: 'E2GAN Studio',
        setAppUserModelId: (id: string) => (fake.appUserModelId = id),
        requestSingleInstanceLock: () => options.gotSingleInstanceLock ?? true,
        on: (name: string, handler: Handler) => fake.appHandlers.set(name, handler),
        once: (name: string, handler: Handler) => fake.appHandlers.set(name, handler),
        whenReady: () => Promise.resolve(),
        getPath: () => options.userData,
        getVersion: () => '0.1.0',
        getName: () => 'E2GAN Studio',
        getAppPath: () => options.appPath,
        isPackaged: options.isPackaged ?? false,
        quit: () => (fake.quitCalls += 1),
        exit: (code: number) => fake.errors.push(`exit ${code}`),
      },
      BrowserWindow,
      ipcMain: {
        handle: (channel: string, handler: Handler) => fake.ipcHandlers.set(channel, handler),
        removeHandler: (channel: string) => fake.ipcHandlers.delete(channel),
      },
      protocol: {
        registerSchemesAsPrivileged: (schemes: FakeElectron['schemes']) => fake.schemes.push(...schemes),
        handle: (scheme: string, handler: (request: Request) => Promise<Response>) => fake.protocolHandlers.set(scheme, handler),
      },
      session: { defaultSession: session, fromPartition: () => session },
      // Electron's net.request takes URL parts like Node's http.request and emits the same events.
      net: {
        request: (requestOptions: http.RequestOptions & { session?: unknown; redirect?: string }) => {
          const { session: _session, redirect: _redirect, ...nodeOptions } = requestOptions;
          fake.netRequests.push(`${nodeOptions.protocol ?? 'http:'}//${nodeOptions.hostname ?? nodeOptions.host}:${nodeOptions.port}${nodeOptions.path}`);
          const request = http.request(nodeOptions);
          return Object.assign(request, { followRedirect: () => undefined });
        },
      },
      Notification: class {
        static isSupported() {
          return true;
        }
        constructor(private readonly notification: { title?: string; body?: string } = {}) {}
        on() {
          return this;
        }
        show() {
          fake.notifications.push(`${this.notification.title}: ${this.notification.body}`);
        }
      },
      // No keyring here: the app must say it cannot store secrets rather than store them in clear.
      safeStorage: {
        isEncryptionAvailable: () => false,
        getSelectedStorageBackend: () => 'basic_text',
        encryptString: () => {
          throw new Error('FakeElectron: encryption is not available');
        },
        decryptString: () => {
          throw new Error('FakeElectron: encryption is not available');
        },
      },
      shell: { openExternal: async (url: string) => void fake.openedExternally.push(url), openPath: async () => '' },
      Menu: { buildFromTemplate: (template: unknown) => template, setApplicationMenu: (menu: unknown) => (fake.menu = menu) },
      dialog: { showErrorBox: (_title: string, message: string) => fake.errors.push(message) },
      // A utility process is a Node child process with process.parentPort; the shim gives a forked child one.
      utilityProcess: {
        fork: (entryPath: string) => {
          fake.forked.push(entryPath);
          if (!options.utilityShim) throw new Error('FakeElectron: no utilityShim given');
          const env = options.resourcesPath ? { ...process.env, FAKE_ELECTRON_RESOURCES_PATH: options.resourcesPath } : process.env;
          const child = fork(options.utilityShim, [entryPath], { stdio: 'inherit', env });
          return {
            once: (name: string, listener: Handler) => child.once(name, listener),
            on: (name: string, listener: Handler) => child.on(name, listener),
            postMessage: (message: unknown) => child.send(message as never),
            kill: () => child.kill(),
          };
        },
      },
    };
  }
}

/** The script FakeElectron's utility processes run through. */
export const UTILITY_SHIM_SOURCE = [
  'if (process.env.FAKE_ELECTRON_RESOURCES_PATH) process.resourcesPath = process.env.FAKE_ELECTRON_RESOURCES_PATH;',
  'process.parentPort = {',
  "  on: (name, listener) => process.on('message', (data) => listener({ data })),",
  '  postMessage: (message) => process.send(message),',
  '};',
  'require(process.argv[2]);',
].join('\n');

/** Makes require('electron') answer `electron` for every module that resolves it like `fromFile` does. */
export function installFakeElectron(fromFile: string, electron: FakeElectron): void {
  const requireFrom = createRequire(fromFile);
  const electronPath = requireFrom.resolve('electron');
  requireFrom.cache[electronPath] = { id: electronPath, filename: electronPath, loaded: true, exports: electron.module() } as NodeJS.Module;
}

/**
 * Makes every require('electron') in this process answer `electron`, wherever the requiring file is: a packaged
 * app has no node_modules/electron to resolve. Returns the function that undoes it.
 */
export function interceptElectronRequire(electron: FakeElectron): () => void {
  const moduleInternals = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
    _cache: Record<string, NodeJS.Module>;
  };
  const original = moduleInternals._resolveFilename;
  const id = '/fake-electron/electron.js';
  moduleInternals._cache[id] = { id, filename: id, loaded: true, exports: electron.module() } as NodeJS.Module;
  moduleInternals._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === 'electron' ? id : original.call(this, request, ...rest);
  };
  return () => {
    moduleInternals._resolveFilename = original;
    delete moduleInternals._cache[id];
  };
}

/** Runs a bundled main.cjs afresh against the given stand-in. */
export function loadMain(mainPath: string, electron: FakeElectron): void {
  installFakeElectron(mainPath, electron);
  const requireFromBundle = createRequire(mainPath);
  delete requireFromBundle.cache[mainPath];
  requireFromBundle(mainPath);
}
