/**
 * How `tidings check` reports: a table with one row per account and step (the account on
 * every row, so `grep FAILED` keeps whole rows), the certificate on lines under its row, and
 * a last line with the verdict; or, with `--json`, one JSON document for the whole run.
 */
import type { CheckStep } from '../../engine/check/index.js';

/** One account's rows. */
export interface AccountReport {
  id: string;
  steps: CheckStep[];
}

/** The JSON document of `tidings check --json`. */
export interface CheckDocument {
  ok: boolean;
  accounts: Array<{ id: string; ok: boolean; failedStep?: string; steps: CheckStep[] }>;
}

/** Whether every step of every account passed. */
export function allPassed(reports: readonly AccountReport[]): boolean {
  return reports.every((report) => report.steps.every((step) => step.status !== 'failed'));
}

/** The JSON document: every account, its first failed step named. */
export function checkDocument(reports: readonly AccountReport[]): CheckDocument {
  return {
    ok: allPassed(reports),
    accounts: reports.map((report) => {
      const failed = firstFailure(report);
      return {
        id: report.id,
        ok: failed === undefined,
        ...(failed ? { failedStep: failed } : {}),
        steps: report.steps,
      };
    }),
  };
}

/** The table and its verdict line, ending in a newline. */
export function formatCheckTable(reports: readonly AccountReport[]): string {
  const rows = reports.flatMap((report) =>
    report.steps.map((step) => ({
      cells: [report.id, stepLabel(step), resultLabel(step), step.detail],
      more: moreLines(step),
    })),
  );
  const header = ['ACCOUNT', 'STEP', 'RESULT', 'DETAIL'];
  const widths = [0, 1, 2].map((column) =>
    Math.max(header[column]?.length ?? 0, ...rows.map((row) => row.cells[column]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column < 3 ? cell.padEnd(widths[column] ?? 0) : cell))
      .join('  ')
      .trimEnd();
  const indent = ' '.repeat(widths.reduce((sum, width) => sum + width + 2, 0));
  const body = rows.flatMap((row) => [line(row.cells), ...row.more.map((more) => indent + more)]);
  return [line(header), ...body, '', verdict(reports)].join('\n') + '\n';
}

function verdict(reports: readonly AccountReport[]): string {
  const failures = reports.flatMap((report) => {
    const failed = firstFailure(report);
    return failed ? [`${report.id} at ${failed}`] : [];
  });
  const accounts = reports.length === 1 ? '1 account' : `${reports.length} accounts`;
  if (failures.length === 0) return `All checks passed (${accounts}).`;
  return `FAILED: ${failures.join('; ')} (${reports.length - failures.length} of ${accounts} passed).`;
}

function firstFailure(report: AccountReport): string | undefined {
  const step = report.steps.find((candidate) => candidate.status === 'failed');
  return step && stepLabel(step);
}

function stepLabel(step: CheckStep): string {
  return step.step === 'mailbox' ? `mailbox ${step.mailbox ?? ''}` : step.step;
}

function resultLabel(step: CheckStep): string {
  return step.status === 'failed' ? 'FAILED' : step.status;
}

// The certificate under the TLS row; for a refused one, how to pin it.
function moreLines(step: CheckStep): string[] {
  const certificate = step.certificate;
  if (!certificate) return [];
  const lines = [
    `SHA-256 ${certificate.fingerprint256}`,
    `subject ${certificate.subject}; issuer ${certificate.issuer}`,
    `valid ${certificate.validFrom} to ${certificate.validTo}`,
  ];
  if (!certificate.trusted && certificate.trustedBy === 'authorities') {
    lines.push(
      `if this is your server's certificate, pin it: "certificateFingerprint": "${certificate.fingerprint256}"`,
    );
  }
  return lines;
}
