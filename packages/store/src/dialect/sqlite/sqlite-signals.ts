import { SignalListeners, checkChannel, type ChangeSignals } from '../../signals/change-signals.ts';

/**
 * Change signals of the embedded store. An embedded SQLite database has one server process, so a signal only
 * has to reach this process's own listeners.
 */
export function sqliteSignals(): ChangeSignals {
  const listeners = new SignalListeners();
  return {
    publish: (channel) => listeners.deliver(checkChannel(channel)),
    subscribe: (channel, listener) => listeners.add(channel, listener),
    close: async () => {},
  };
}
