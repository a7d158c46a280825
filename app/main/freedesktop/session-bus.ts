/**
 * One connection to the user's D-Bus session bus, opened at the first call and reopened at
 * the next call after it ended. Method calls are promises under a deadline that resolve with
 * the reply's body and the unique name of whoever answered (so a signal can later be checked
 * against it); signals are handed to listeners as raw messages. Nothing here throws: a bus
 * that is missing, refuses us or dies makes the pending and later calls fail with a reason.
 *
 * The library is @homebridge/dbus-native (pure JavaScript), picked over dbus-next 0.10.2:
 * dbus-next has had no release since 2021, pins xml2js 0.4 (CVE-2023-0842) and
 * event-stream 3.3.4, and reaches for the native `usocket` (an optional dependency whose
 * build npm 11 skips without an allowScripts entry); dbus-native is kept (0.7.9, 2026),
 * has no native or optional dependency, and reports a refused Hello as an 'error' event
 * instead of throwing out of a callback (lib/report-error.js). Its typings are mostly
 * `any`, so the little of it we use is typed here. Both are CommonJS: a default import,
 * loaded at the first call (macOS, Windows and `--no-desktop` never load it).
 */
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { EventEmitter } from 'node:events';

/** One message as dbus-native hands it over (lib/message.js's header fields and body). */
export interface BusMessage {
  /** 1 method call, 2 method return, 3 error, 4 signal. */
  type: number;
  serial?: number;
  /** The sender's unique name (":1.42"), set by the bus daemon, not by the sender. */
  sender?: string;
  path?: string;
  interface?: string;
  member?: string;
  signature?: string;
  body?: unknown[];
}

/** A method call to make. Variants are written `[signature, value]` (lib/marshall.js). */
export interface MethodCall {
  destination: string;
  path: string;
  interface: string;
  member: string;
  signature?: string;
  body?: unknown[];
}

/** A method's answer: its body, and the unique name of the peer that sent it. */
export interface MethodReply {
  body: unknown[];
  sender: string;
}

export type CallResult = { ok: true; reply: MethodReply } | { ok: false; reason: string };

const SIGNAL = 4;
// The D-Bus reference implementation's default reply timeout is 25 s: a hung bus must not
// keep a popup's queue waiting longer.
const CALL_TIMEOUT_MS = 25_000;

// The little of dbus-native's MessageBus we use (lib/bus.js). `invoke` calls back with
// `this.message` the reply, or an `{name, message}` error.
interface NativeConnection extends EventEmitter {
  end(): void;
}
interface NativeBus {
  connection: NativeConnection;
  invoke(
    message: MethodCall,
    callback: (
      this: { message?: BusMessage },
      error: { name?: string; message?: string } | null,
      ...body: unknown[]
    ) => void,
  ): void;
  addMatch(rule: string, callback: (error: unknown) => void): void;
}
interface NativeModule {
  createClient(options: { stream: net.Socket }): NativeBus;
}
const loadNative = async () =>
  (await import('@homebridge/dbus-native')).default as unknown as NativeModule;

/**
 * Where the session bus is: DBUS_SESSION_BUS_ADDRESS, else systemd's per-user bus
 * ($XDG_RUNTIME_DIR/bus, where libdbus and GDBus look too); undefined when there is none.
 */
export function sessionBusAddress(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.DBUS_SESSION_BUS_ADDRESS) return env.DBUS_SESSION_BUS_ADDRESS;
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime && existsSync(path.join(runtime, 'bus'))) return `unix:path=${runtime}/bus`;
  return undefined;
}

/**
 * A socket to the first entry of `address` with a transport we speak: unix path, unix
 * abstract, or tcp. Throws on an address with none of them. An abstract name is asked of
 * Node with a leading NUL (dbus-native would need the uninstalled `abstract-socket`); Node
 * 20's libuv pads the name, so there the connection is refused (checked here against a
 * dbus-daemon on `unix:abstract=`: ECONNREFUSED) and logged once like a missing bus.
 * systemd's per-user bus (/run/user/UID/bus) and Debian 12's dbus-run-session (dbus 1.14)
 * give paths.
 */
export function connectTo(address: string): net.Socket {
  for (const entry of address.split(';')) {
    const colon = entry.indexOf(':');
    const transport = entry.slice(0, colon);
    const params = new Map(
      entry
        .slice(colon + 1)
        .split(',')
        .map((pair) => {
          const eq = pair.indexOf('=');
          return [pair.slice(0, eq), decodeURIComponent(pair.slice(eq + 1))] as const;
        }),
    );
    if (transport === 'unix' && params.get('path')) return net.connect(params.get('path') ?? '');
    if (transport === 'unix' && params.get('abstract'))
      return net.connect(`\0${params.get('abstract') ?? ''}`);
    if (transport === 'tcp' && params.get('port'))
      return net.connect(Number(params.get('port')), params.get('host') ?? 'localhost');
  }
  throw new Error(`no usable transport in the bus address "${address}"`);
}

/** The session bus, opened lazily; see the file's comment. */
export class SessionBus {
  private bus: Promise<NativeBus | string> | undefined;
  // The bus `this.bus` resolved to, once it is open: what its 'end' and 'error' compare with.
  private openBus: NativeBus | undefined;
  private native: Promise<NativeModule> | undefined;
  // Why the connection ended (or could not be made), for the calls made on it.
  private pending = new Set<(reason: string) => void>();
  private readonly signalListeners = new Set<(message: BusMessage) => void>();
  private readonly endListeners = new Set<() => void>();

  /**
   * `address` is resolved at each (re)open: undefined means no session bus. `matchRules`
   * are added at each open, so the bus daemon sends us those signals.
   */
  constructor(
    private readonly options: {
      address: () => string | undefined;
      matchRules: readonly string[];
      timeoutMs?: number;
    },
  ) {}

  /**
   * Calls a method; resolves with its reply, or why there is none. Never rejects. `onReply`
   * runs with the reply at once, before any message after it is handled: a signal the
   * answering peer sent right after the reply (in the same read) must find what it set up.
   */
  async call(call: MethodCall, onReply?: (reply: MethodReply) => void): Promise<CallResult> {
    this.bus ??= this.open();
    const bus = await this.bus;
    if (typeof bus === 'string') {
      this.bus = undefined;
      return { ok: false, reason: bus };
    }
    return new Promise<CallResult>((resolve) => {
      const finish = (result: CallResult) => {
        clearTimeout(timer);
        this.pending.delete(fail);
        resolve(result);
      };
      const fail = (reason: string) => finish({ ok: false, reason });
      const timer = setTimeout(() => {
        const reason = `${call.member}: no answer in ${this.options.timeoutMs ?? CALL_TIMEOUT_MS} ms`;
        fail(reason);
        // A connection that let a call go unanswered is not waited on again (DESIGN: a missed
        // deadline tears the connection down): the calls behind it fail now, the next opens anew.
        if (this.openBus === bus) this.disconnect(reason);
      }, this.options.timeoutMs ?? CALL_TIMEOUT_MS);
      timer.unref();
      this.pending.add(fail);
      try {
        bus.invoke(call, function (error, ...body) {
          if (error) fail(`${error.name ?? 'error'}: ${error.message ?? ''}`.trim());
          else {
            const reply = { body, sender: this.message?.sender ?? '' };
            onReply?.(reply);
            finish({ ok: true, reply });
          }
        });
      } catch (error) {
        // Marshalling throws at once on a value the signature cannot carry.
        fail(String(error));
      }
    });
  }

  /** Hands each signal the match rules let through to `listener`. */
  onSignal(listener: (message: BusMessage) => void): void {
    this.signalListeners.add(listener);
  }

  /** Hands `listener` each end of the connection (closed, failed, timed out): what it said is stale. */
  onEnd(listener: () => void): void {
    this.endListeners.add(listener);
  }

  /** Closes the connection (the next call opens a new one). */
  disconnect(reason = 'the session bus was closed'): void {
    const bus = this.openBus;
    this.bus = undefined;
    this.openBus = undefined;
    bus?.connection.end();
    this.failPending(reason);
    if (bus) for (const listener of this.endListeners) listener();
  }

  // The open bus, or why there is none. Only `call` stores it in `this.bus`.
  private async open(): Promise<NativeBus | string> {
    const address = this.options.address();
    if (!address) return 'no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)';
    let bus: NativeBus;
    try {
      this.native ??= loadNative();
      const native = await this.native;
      const stream = connectTo(address);
      // Not keeping `tidings watch` alive, nor the app's quit waiting, for the bus alone.
      stream.unref();
      bus = native.createClient({ stream });
    } catch (error) {
      this.native = undefined;
      return `cannot reach the D-Bus session bus: ${String(error)}`;
    }
    const ended = (reason: string) => {
      if (this.openBus !== bus) return;
      this.openBus = undefined;
      this.bus = undefined;
      this.failPending(reason);
      bus.connection.end();
      for (const listener of this.endListeners) listener();
    };
    // 'error' carries socket errors, a failed handshake and a refused Hello.
    bus.connection.on('error', (error: Error) =>
      ended(`the D-Bus session bus failed: ${error.message}`),
    );
    bus.connection.on('end', () => ended('the D-Bus session bus closed the connection'));
    bus.connection.on('message', (message: BusMessage) => {
      if (message.type !== SIGNAL) return;
      for (const listener of this.signalListeners) listener(message);
    });
    this.openBus = bus;
    for (const rule of this.options.matchRules) bus.addMatch(rule, () => {});
    return bus;
  }

  private failPending(reason: string): void {
    const pending = [...this.pending];
    this.pending.clear();
    for (const fail of pending) fail(reason);
  }
}
