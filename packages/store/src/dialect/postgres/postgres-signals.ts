import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { SignalListeners, checkChannel, type ChangeSignals } from '../../signals/change-signals.ts';

/** Every Gantry channel is prefixed, so other programs' NOTIFY channels on the same database do not mix in. */
const PREFIX = 'gantry_';
const RECONNECT_MS = 500;

/**
 * Change signals across processes through PostgreSQL's LISTEN/NOTIFY. One dedicated connection listens on every
 * channel with a listener; a publish is a `pg_notify` through the pool, delivered to this process's listeners
 * at once (it need not wait for its own notification) and to every other process within milliseconds.
 * If the listening connection breaks, it reconnects every half second and then tells every listener, because
 * whatever was published meanwhile was lost.
 */
export function postgresSignals(url: string, pool: pg.Pool): ChangeSignals {
  const listeners = new SignalListeners();
  // This process's own notifications come back to it too; it has already delivered them.
  const origin = randomUUID();
  let client: pg.Client | undefined;
  let connecting: Promise<void> | undefined;
  let closed = false;
  let lostSignals = false;

  const connect = (): Promise<void> =>
    (connecting ??= (async () => {
      const next = new pg.Client({ connectionString: url });
      next.on('notification', (message) => {
        if (message.channel.startsWith(PREFIX) && message.payload !== origin) listeners.deliver(message.channel.slice(PREFIX.length));
      });
      next.on('error', () => {});
      next.on('end', () => {
        if (client !== next || closed) return;
        client = undefined;
        lostSignals = true;
        setTimeout(reconnect, RECONNECT_MS).unref();
      });
      await next.connect();
      for (const channel of listeners.channels()) await next.query(`LISTEN ${PREFIX}${channel}`);
      client = next;
      if (lostSignals) {
        lostSignals = false;
        listeners.deliverAll();
      }
    })().finally(() => (connecting = undefined)));

  const reconnect = () => {
    if (closed) return;
    connect().catch((error: Error) => {
      console.error(`store: listening for changes on PostgreSQL failed (${error.message}); retrying`);
      lostSignals = true;
      setTimeout(reconnect, RECONNECT_MS).unref();
    });
  };

  return {
    publish(channel) {
      checkChannel(channel);
      listeners.deliver(channel);
      pool.query('select pg_notify($1, $2)', [`${PREFIX}${channel}`, origin]).catch((error: Error) =>
        console.error(`store: could not signal change ${channel} to other processes: ${error.message}`));
    },
    subscribe(channel, listener) {
      const first = !listeners.channels().includes(channel);
      const unsubscribe = listeners.add(channel, listener);
      if (first) {
        // LISTEN twice is harmless; a connection made meanwhile may have missed this channel.
        const listen = async () => {
          if (!client) await connect();
          await client?.query(`LISTEN ${PREFIX}${channel}`);
        };
        listen().catch((error: Error) => {
          console.error(`store: could not listen for changes of ${channel} on PostgreSQL (${error.message}); retrying`);
          lostSignals = true;
          setTimeout(reconnect, RECONNECT_MS).unref();
        });
      }
      return unsubscribe;
    },
    async close() {
      closed = true;
      await connecting?.catch(() => {});
      await client?.end().catch(() => {});
      client = undefined;
    },
  };
}
