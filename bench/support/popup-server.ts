/**
 * Where benchmarks with desktop popups on send them: the recording notification server of
 * the tests on a private D-Bus session bus (test/support/notification-bus.ts), so
 * `tidings watch` talks D-Bus as it does on a desktop and nothing reaches a real one. Each
 * Notify is noted with the time it arrived; one with a replaces_id naming an open popup kept
 * that id (the server replaced it in place).
 */
import { startNotificationBus, type NotifyCall } from '../../test/support/notification-bus.js';

/** One Notify call; `at` is on the `performance.now()` scale of this process. */
export interface PopupCall {
  at: number;
  id: string;
  replaced: string | null;
  title: string;
  body: string;
}

/** The environment that points `tidings watch` at the server, and what it received. */
export interface PopupServer {
  env: NodeJS.ProcessEnv;
  calls(): PopupCall[];
  stop(): Promise<void>;
}

/** Starts the bus and the server. */
export async function startPopupServer(): Promise<PopupServer> {
  const bus = await startNotificationBus();
  const calls: PopupCall[] = [];
  const push = bus.records.push.bind(bus.records);
  bus.records.push = (record) => {
    if (record.call === 'Notify') calls.push(toCall(record, performance.now()));
    push(record);
  };
  return {
    env: { DBUS_SESSION_BUS_ADDRESS: bus.address },
    calls: () => [...calls],
    stop: () => bus.stop(),
  };
}

function toCall(record: NotifyCall, at: number): PopupCall {
  return {
    at,
    id: String(record.id),
    replaced: record.replaced ? String(record.replaces_id) : null,
    title: record.summary,
    body: record.body,
  };
}

/** What a run's calls added up to on screen. */
export interface PopupCounts {
  /** Notify calls: popups shown, replacements included. */
  calls: number;
  /** Calls that replaced a notification already on screen (replaces_id). */
  replacements: number;
  /** Distinct notifications the calls made (what would stack up, before they expire). */
  distinct: number;
}

/** Counts `calls`. */
export function countPopups(calls: readonly PopupCall[]): PopupCounts {
  return {
    calls: calls.length,
    replacements: calls.filter((call) => call.replaced !== null).length,
    distinct: new Set(calls.map((call) => call.id)).size,
  };
}

/** Prints one line per call: ms after `t0`, notification id, what it replaced, title. */
export function printCalls(calls: readonly PopupCall[], t0: number): void {
  for (const call of calls) {
    const replaced = call.replaced ? `replaces ${call.replaced}` : 'new';
    const at = (call.at - t0).toFixed(0).padStart(6);
    console.log(`    ${at}  ${call.id.padStart(7)}  ${replaced.padEnd(16)} ${call.title}`);
  }
}
