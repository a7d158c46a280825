/**
 * What the CLI writes: JSON lines, the stderr logger, the check report, desktop popups.
 * Code outside this folder imports only from here.
 */
export { type AccountReport, allPassed, checkDocument, formatCheckTable } from './check-report.js';
export { DesktopNotifier } from './desktop-notifier.js';
export { announcementEvent, messageChangeEvent, statusEvent } from './json-events.js';
export { createStderrLogger } from './stderr-logger.js';
export { createLineWriter } from './stdout-writer.js';
