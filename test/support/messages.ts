/**
 * Raw RFC 5322 messages for tests, each with a unique Message-ID unless one is given (or
 * `null`: no Message-ID header at all, as from some scripts and old mailers).
 */
import { randomUUID } from 'node:crypto';

/** Parts of a test message; headers are written as given (already encoded if need be). */
export interface MessageParts {
  from?: string;
  to?: string;
  subject?: string;
  messageId?: string | null;
  body?: string;
  /** More header lines, as written ("List-Id: <dev.lists.example>"). */
  headers?: string[];
}

/** A unique Message-ID. */
export function newMessageId(): string {
  return `<${randomUUID()}@test.tidings.invalid>`;
}

/** Builds a message with CRLF line ends. */
export function buildMessage(parts: MessageParts = {}): string {
  const headers = [
    `From: ${parts.from ?? 'Ann Sender <ann@example.test>'}`,
    `To: ${parts.to ?? 'me@example.test'}`,
    `Subject: ${parts.subject ?? 'Hello'}`,
    ...(parts.messageId === null ? [] : [`Message-ID: ${parts.messageId ?? newMessageId()}`]),
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    ...(parts.headers ?? []),
  ];
  return `${headers.join('\r\n')}\r\n\r\n${parts.body ?? 'Body.'}\r\n`;
}
