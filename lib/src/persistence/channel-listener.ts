import { Client } from 'pg';
import { type Logger } from '../logger';

export interface ChannelListenerOptions {
  connectionString: string;
  /** A PostgreSQL channel name (an identifier: letters, digits, underscores). */
  channel: string;
  /** Called with each notice's payload, in the order PostgreSQL delivers them. */
  onNotice: (payload: string) => void;
  /**
   * Called when the listener stops hearing notices (connection lost, or stopped): whatever was kept on
   * the strength of notices must be dropped, since a notice may be missed from now on.
   */
  onLost: () => void;
  logger: Logger;
  /** Wait before connecting again after a loss (ms). */
  retryMs?: number;
  applicationName?: string;
}

/**
 * One connection LISTENing on one PostgreSQL channel, connecting again after a loss. `listening` is true
 * only while notices are heard: a reader caching on the strength of notices caches only then. NOTIFY is
 * transactional, so a notice is heard once the change it announces has committed.
 */
export class ChannelListener {
  private client: Client | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;
  private connected = false;

  constructor(private readonly options: ChannelListenerOptions) {
    if (!/^[a-z_][a-z0-9_]*$/.test(options.channel)) throw new Error(`Not a channel name: ${options.channel}`);
  }

  /** True while notices on the channel are being heard. */
  get listening(): boolean {
    return this.connected;
  }

  /** Connects and listens; on failure, tries again every `retryMs` (the promise settles after the first try). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    const client = this.client;
    this.client = null;
    this.lose();
    if (client) await client.end().catch(() => undefined);
  }

  private lose(): void {
    this.connected = false;
    this.options.onLost();
  }

  private async connect(): Promise<void> {
    if (this.stopped || this.client) return;
    const client = new Client({ connectionString: this.options.connectionString, application_name: this.options.applicationName ?? `listen-${this.options.channel}` });
    this.client = client;
    const lost = (why: string) => {
      if (this.client !== client) return;
      this.client = null;
      this.lose();
      void client.end().catch(() => undefined);
      if (this.stopped) return;
      this.options.logger.warn(`listening on ${this.options.channel} lost; connecting again`, { error: why });
      this.retry = setTimeout(() => {
        this.retry = null;
        void this.connect();
      }, this.options.retryMs ?? 1000);
      this.retry.unref();
    };
    client.on('error', (error) => lost(error.message));
    client.on('end', () => lost('connection ended'));
    client.on('notification', (message) => {
      if (message.channel === this.options.channel && this.client === client) this.options.onNotice(message.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.options.channel}`);
      if (this.client === client) this.connected = true;
    } catch (error) {
      lost((error as Error).message);
    }
  }
}
