/**
 * A big provider's front, emulated before a real Dovecot: a line-aware TCP proxy that behaves
 * the way Gmail and Exchange Online are reported to (their docs, public bug reports). It can
 * cut the capability list down to a provider's (no NOTIFY, no IDLE), sit on a DONE until new
 * mail comes (Gmail after long IDLEs), drop a connection that has been silent for a while
 * without a BYE (closed, or blackholed), say things the server behind never would (an
 * untagged ALERT, a BYE), and answer a command itself (a refusal). The mail is real: Dovecot
 * stores it, searches it and pushes EXISTS.
 */
import net from 'node:net';

/** How a silent connection is dropped: a FIN with no BYE, or nothing ever again. */
export type DropHow = 'close' | 'blackhole';

/** The front's options at start. */
export interface ProviderFrontOptions {
  /** Rewrites every capability list the server sends (greeting, CAPABILITY, OK [CAPABILITY]). */
  capabilities?: (list: string[]) => string[];
}

/** A running front. */
export interface ProviderFront {
  port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections dropped for silence so far. */
  readonly drops: number;
  /** The name of every command clients sent, in order ("DONE" for the end of IDLE). */
  readonly commands: readonly string[];
  /** DONEs held back right now (see `withholdNextDone`). */
  readonly held: number;
  /**
   * Gmail: the next DONE any client sends is held back from the server until the server
   * sends that connection an EXISTS (new mail), then passed on; its answer comes only then.
   */
  withholdNextDone(): void;
  /** Drops every connection that sent no command for `ms`, the way `how` says; off with undefined. */
  dropSilent(rule: { ms: number; how: DropHow } | undefined): void;
  /** Sends `line` (CRLF added) to every open client as if the server had said it. */
  say(line: string): void;
  /**
   * Answers the next `times` commands named `name` itself with `reply(tag)` (the server never
   * sees them); `close` then ends the connection as a server does after a BYE.
   */
  answer(name: string, reply: (tag: string) => string, options?: AnswerOptions): void;
  close(): Promise<void>;
}

/** How a command the front answers itself is answered. */
export interface AnswerOptions {
  times?: number;
  close?: boolean;
}

interface Rule {
  name: string;
  reply: (tag: string) => string;
  left: number;
  close: boolean;
}

interface Pair {
  client: net.Socket;
  server: net.Socket;
  /** Client bytes that are not a whole line yet. */
  partial: string;
  /** A DONE held back until the server sends EXISTS (Gmail), and what came after it. */
  held: string[] | undefined;
  /** Blackholed: nothing goes either way any more. */
  muted: boolean;
  /** Closed by the front: the client's FIN is on its way, the server side is gone. */
  closing: boolean;
  silence: NodeJS.Timeout | undefined;
}

/** Starts a front on a free loopback port before the server at `targetPort`. */
export async function startProviderFront(
  targetPort: number,
  options: ProviderFrontOptions = {},
): Promise<ProviderFront> {
  let accepted = 0;
  let drops = 0;
  let withholdDone = false;
  let silentRule: { ms: number; how: DropHow } | undefined;
  const rules: Rule[] = [];
  const commands: string[] = [];
  const pairs = new Set<Pair>();

  const rewrite = (text: string): string => {
    const edit = options.capabilities;
    if (!edit) return text;
    return text.replace(
      /(\[CAPABILITY |\* CAPABILITY )([^\]\r\n]*)/gi,
      (_whole, lead: string, list: string) => lead + edit(list.split(' ')).join(' '),
    );
  };

  const drop = (pair: Pair, how: DropHow) => {
    drops++;
    pair.server.destroy();
    if (how === 'blackhole') {
      pair.muted = true;
      return;
    }
    pair.closing = true;
    pair.client.end();
  };

  const armSilence = (pair: Pair) => {
    clearTimeout(pair.silence);
    pair.silence = undefined;
    const rule = silentRule;
    if (!rule || pair.muted || pair.closing) return;
    pair.silence = setTimeout(() => drop(pair, rule.how), rule.ms);
  };

  const fromClient = (pair: Pair, line: string) => {
    const [tag = '', name = ''] = line.split(' ');
    const command = line.trim().toUpperCase() === 'DONE' ? 'DONE' : name.toUpperCase();
    // A line that continues a literal is not a command; only names that look like one count.
    if (/^[A-Z]+$/.test(command)) commands.push(command);
    armSilence(pair);
    const rule = rules.find((r) => r.name === command && r.left > 0);
    if (rule) {
      rule.left--;
      pair.client.write(rule.reply(tag));
      if (rule.close) {
        pair.closing = true;
        pair.server.destroy();
        pair.client.end();
      }
      return;
    }
    if (pair.held) {
      pair.held.push(line);
      return;
    }
    if (command === 'DONE' && withholdDone) {
      withholdDone = false;
      pair.held = [line];
      return;
    }
    pair.server.write(line);
  };

  const onConnection = (client: net.Socket) => {
    accepted++;
    const server = net.connect(targetPort, '127.0.0.1');
    const pair: Pair = {
      client,
      server,
      partial: '',
      held: undefined,
      muted: false,
      closing: false,
      silence: undefined,
    };
    pairs.add(pair);
    armSilence(pair);
    client.on('data', (chunk: Buffer) => {
      if (pair.muted || pair.closing) return;
      pair.partial += chunk.toString('latin1');
      for (let at = pair.partial.indexOf('\n'); at >= 0; at = pair.partial.indexOf('\n')) {
        const line = pair.partial.slice(0, at + 1);
        pair.partial = pair.partial.slice(at + 1);
        fromClient(pair, line);
      }
    });
    server.on('data', (chunk: Buffer) => {
      if (pair.muted || pair.closing) return;
      const text = chunk.toString('latin1');
      client.write(Buffer.from(rewrite(text), 'latin1'));
      // Gmail answers the DONE it sat on once new mail comes.
      if (pair.held && /^\* \d+ EXISTS\r?$/m.test(text)) {
        const held = pair.held;
        pair.held = undefined;
        for (const line of held) server.write(line);
      }
    });
    const end = () => {
      clearTimeout(pair.silence);
      pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on('error', end);
    client.on('close', end);
    server.on('error', () => {
      if (!pair.muted && !pair.closing) end();
    });
    server.on('close', () => {
      // A blackholed pair keeps its client open and mute; a closing one waits for its FIN.
      if (!pair.muted && !pair.closing) end();
    });
  };

  const listener = net.createServer(onConnection);
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  return {
    port: (listener.address() as net.AddressInfo).port,
    get accepted() {
      return accepted;
    },
    get drops() {
      return drops;
    },
    get held() {
      return [...pairs].filter((pair) => pair.held !== undefined).length;
    },
    commands,
    withholdNextDone() {
      withholdDone = true;
    },
    dropSilent(rule) {
      silentRule = rule;
      for (const pair of pairs) armSilence(pair);
    },
    say(line) {
      for (const pair of pairs) {
        if (!pair.muted && !pair.closing) pair.client.write(`${line}\r\n`);
      }
    },
    answer(name, reply, answerOptions = {}) {
      rules.push({
        name: name.toUpperCase(),
        reply,
        left: answerOptions.times ?? 1,
        close: answerOptions.close ?? false,
      });
    },
    async close() {
      for (const pair of pairs) {
        clearTimeout(pair.silence);
        pair.client.destroy();
        pair.server.destroy();
      }
      pairs.clear();
      await new Promise((resolve) => listener.close(resolve));
    },
  };
}
