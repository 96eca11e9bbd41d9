import type { ConnectionState as ConnectionStateName, StudioApi } from '../../../../electron/api/contract';
import type { ConnectionView } from '../view-types';

/** The back-end link shown in the status bar (browser mode reconnects its WebSocket on its own). */
export class ConnectionState {
  private readonly api: StudioApi;
  state: ConnectionStateName = $state('connecting');
  version: string | undefined = $state();

  // A getter rather than $derived: the object is tiny, and a field initializer cannot see the constructor's api.
  get view(): ConnectionView {
    return { state: this.state, mode: this.api.mode, version: this.version };
  }

  constructor(api: StudioApi) {
    this.api = api;
    this.state = api.connection.state;
  }

  start(): () => void {
    const unsubscribe = this.api.connection.onChange((state) => {
      this.state = state;
      if (state === 'connected' && this.version === undefined) void this.loadVersion();
    });
    if (this.state === 'connected') void this.loadVersion();
    return unsubscribe;
  }

  private async loadVersion(): Promise<void> {
    try {
      this.version = (await this.api.app.info()).version;
    } catch {
      // The version is decoration; a failed lookup is retried on the next reconnect.
    }
  }
}
