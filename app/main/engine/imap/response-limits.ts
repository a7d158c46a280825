/**
 * What a server may make one session hold. imapflow 2.10.2 bounds one line, one literal and one
 * response (`maxLineLength`, `maxLiteralSize`, `maxResponseSize`; 1 GiB, 1 GiB and 2 GiB by
 * default, handler/limits.js): past one, its parser (handler/imap-stream.js) is destroyed
 * before the bytes are kept or parsed, and the connection ends with `error` (LineTooLarge,
 * LiteralTooLarge, ResponseTooLarge; errors.ts names them). A literal is refused from its
 * `{n}` alone. How many responses one command or one wait takes, imapflow bounds only at a
 * million (`MAX_COLLECTED_RESPONSES` in tools.js, for `fetchAll` and `list`): `fetchAll` keeps
 * every FETCH until the tagged answer, SEARCH every number, and IDLE reads untagged data for
 * as long as it comes. `ExchangeMeter` does: every response's bytes count
 * from the start of each command or wait, and past the budget the connection ends as well.
 * Measured with `tidings watch` against servers that send 300 MiB (test/engine/imap/
 * response-bounds.test.ts): without these limits it peaked at 394 MiB for a greeting, 396 for
 * one line, 705 for a literal and 412 for a FETCH that never ends; with them at 99–117 MiB
 * (it idles at ~95), each cut as a protocol error.
 */
import { formatBytes, TidingsError } from '../base/index.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * One line. The longest we are sent is a SEARCH answer from a server without ESEARCH (RFC 4731),
 * some 7 bytes a UID: the backlog of 10^5 the resync promises (mailbox-sync.ts) is ~700 KB.
 * ENVELOPE's address lists come next; MTAs cap a header at 100 KB (Postfix's
 * `header_size_limit`) or all of them at 256 KB (Exchange). It is also what bounds the heap
 * one line costs: imapflow's parser makes a token object of every atom, and 1 MiB of one-letter
 * atoms took 119 MB of heap here, a SEARCH of 1 MiB 45 MB, for as long as the line is handled.
 */
export const MAX_LINE_BYTES = 1 * MiB;

/**
 * One literal. We fetch no whole bodies: literals carry envelope strings, the header fields we
 * ask for (List-Id; Subject and From when ENVELOPE's are garbled), each under the MTAs' caps
 * above, and a preview's 4 KiB of one part (engine/preview asks `<0.4096>`). A literal costs
 * its bytes and no more: it is one Buffer.
 */
export const MAX_LITERAL_BYTES = 1 * MiB;

/**
 * One response, lines and literals together: a FETCH answer with a literal at the cap and its
 * envelope beside it. imapflow wants it above the literal cap (handler/limits.js). A response's
 * lines are parsed as one, so this bounds the parser's heap too: at worst (one-letter atoms
 * between empty literals) some 240 MB while that one response is handled.
 */
export const MAX_RESPONSE_BYTES = 2 * MiB;

/**
 * Everything one command's answer or one wait may bring, untagged data included. What comes
 * unasked is a mailbox's news: a flag change of 10^5 messages in another client is ~4 MB of
 * `* n FETCH (FLAGS …)`. A storm past this costs one reconnect: SELECT then shows the new
 * state and the resync goes on from the cursor, so no message is lost.
 */
export const EXCHANGE_BYTES = 8 * MiB;

/**
 * What a FETCH may bring per message asked, on top of EXCHANGE_BYTES: an envelope and a List-Id
 * take ~1 KB; 16 KiB on average lets a chunk of the resync (up to 1,000 UIDs) hold messages with
 * long recipient lists. A FETCH that never ends is cut here, with what `fetchAll` kept bounded.
 */
export const FETCH_BYTES_PER_MESSAGE = 16 * KiB;

/** imapflow's options for the per-line, per-literal and per-response limits. */
export const imapFlowLimits = {
  maxLineLength: MAX_LINE_BYTES,
  maxLiteralSize: MAX_LITERAL_BYTES,
  maxResponseSize: MAX_RESPONSE_BYTES,
} as const;

/** How many bytes an exchange may bring, and how a status names that limit. */
export interface ExchangeBudget {
  bytes: number;
  text: string;
}

/** The budget of a command or wait that brings no list of messages. */
export const exchangeBudget: ExchangeBudget = {
  bytes: EXCHANGE_BYTES,
  text: formatBytes(EXCHANGE_BYTES),
};

/**
 * What the LIST behind `"mailboxes": "all"` may bring: a server with 10^5 mailboxes answers
 * with some 6 MB of LIST lines (a line ~60 bytes), which imapflow keeps as ~30 MB of objects
 * until the answer ends; past this it is cut like any other exchange.
 */
export const LIST_ALL_BYTES = 32 * MiB;

/** The budget of the LIST behind `"mailboxes": "all"`. */
export const listAllBudget: ExchangeBudget = {
  bytes: LIST_ALL_BYTES,
  text: formatBytes(LIST_ALL_BYTES),
};

/** The budget of a FETCH of `messages` messages. */
export function fetchBudget(messages: number): ExchangeBudget {
  return {
    bytes: EXCHANGE_BYTES + messages * FETCH_BYTES_PER_MESSAGE,
    text: `${formatBytes(EXCHANGE_BYTES)} + ${formatBytes(FETCH_BYTES_PER_MESSAGE)} per message asked`,
  };
}

/**
 * Counts the bytes of the responses of one exchange (a command's answer, a wait) against its
 * budget. Owned by one session; `start` begins the next exchange.
 */
export class ExchangeMeter {
  private used = 0;
  private budget = exchangeBudget;
  private during = 'in its greeting';

  /** Counts afresh for what comes `during` ("in answer to UID FETCH"), up to `budget`. */
  start(during: string, budget = exchangeBudget): void {
    this.used = 0;
    this.budget = budget;
    this.during = during;
  }

  /** Counts a response of `bytes`: the error to end the connection with once past the budget. */
  add(bytes: number): TidingsError | undefined {
    this.used += bytes;
    if (this.used <= this.budget.bytes) return undefined;
    return new TidingsError(
      'protocol',
      `the server sent more than the limit of ${this.budget.text} ${this.during}`,
    );
  }
}
