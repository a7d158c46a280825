/**
 * "Trust this certificate" in the settings window, in Chromium against the fake bridge: a
 * test refused for a self-signed certificate (Proton Mail Bridge's) shows its SHA-256
 * fingerprint, pins it only when the button is pressed, tests again with the pin, and saves
 * it; a provider with public certificates gets no button; another server hides the offer; a
 * saved account stopped at its certificate gets "Check certificate" in the list, and asks for
 * its password again once pinned. And a test waiting for a free connection says so.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { CertificateView, ConnectionTestResult } from '../../app/common/ipc-contract.js';
import { calls, emptySettings, focusedId, shot, useSettingsWindow, work } from './settings-page.js';

const open = useSettingsWindow();

const fingerprint =
  '3F:A1:9C:04:7E:22:B8:6D:51:E0:9A:C3:14:7B:F2:88:0D:65:AA:39:C1:5E:72:04:9B:DE:11:83:46:F0:27:CA';

const bridgeCertificate: CertificateView = {
  fingerprint256: fingerprint,
  subject: 'CN=127.0.0.1, OU=Bridge, O=Proton AG',
  issuer: 'CN=127.0.0.1, OU=Bridge, O=Proton AG',
  validFrom: '2026-01-01T00:00:00.000Z',
  validTo: '2046-01-01T00:00:00.000Z',
  problem: 'self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)',
  replacesPin: false,
  pinnable: true,
  provider: 'Proton Mail Bridge',
};

const refused = (certificate: CertificateView): ConnectionTestResult => ({
  ok: false,
  code: 'tls',
  message: `TLS failed: ${certificate.problem}`,
  certificate,
});

async function fillBridge(page: Page): Promise<void> {
  await expect.poll(() => page.locator('#account-editor').isVisible()).toBe(true);
  await page.locator('#manual-settings > summary').click();
  await page.getByLabel('User name').fill('ann@proton.me');
  await page.getByLabel('Password', { exact: true }).fill('bridge-password');
  await page.getByLabel('IMAP server').fill('127.0.0.1');
  await page.getByLabel('Security').selectOption('starttls');
  await page.getByLabel('Port').fill('1143');
}

const offer = (page: Page) => page.locator('#certificate-offer');

describe('pinning a certificate on first use', () => {
  it('shows the refused certificate, pins it only on "Trust this certificate", tests again and saves the pin', async () => {
    const { page, errors } = await open({
      testResult: refused(bridgeCertificate),
      testResultsByPin: { [fingerprint]: { ok: true, mailboxes: ['INBOX', 'Archive'] } },
    });
    await fillBridge(page);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => offer(page).isVisible()).toBe(true);
    expect(await page.locator('#certificate-fingerprint').textContent()).toBe(fingerprint);
    expect(await page.locator('#certificate-offer-title').textContent()).toBe(
      "The server's certificate is not trusted: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)",
    );
    expect(await page.locator('#certificate-validity').textContent()).toBe(
      '2026-01-01 to 2046-01-01',
    );
    expect(await page.locator('#certificate-advice').textContent()).toMatch(
      /^Proton Mail Bridge makes its own certificate on this computer/,
    );
    // Shown is not pinned: the field stays empty until the user decides.
    expect(await page.getByLabel('Trust exactly this certificate (SHA-256)').inputValue()).toBe('');
    await page.screenshot({ path: shot('settings-certificate-offer.png'), fullPage: true });

    await page.getByRole('button', { name: 'Trust this certificate' }).click();
    await expect
      .poll(() => page.locator('#test-result').textContent())
      .toBe('Connected. 2 mailboxes found.');
    expect(await offer(page).isVisible()).toBe(false);
    expect(await page.locator('#certificate-settings').getAttribute('open')).toBe('');
    expect(await page.getByLabel('Trust exactly this certificate (SHA-256)').inputValue()).toBe(
      fingerprint,
    );
    expect(await focusedId(page)).toBe('test-connection');
    const tests = (await calls(page, 'testAccount')) as Array<
      [{ account: { certificateFingerprint?: string } }]
    >;
    expect(tests.map(([input]) => input.account.certificateFingerprint)).toEqual([
      undefined,
      fingerprint,
    ]);
    await page.screenshot({ path: shot('settings-certificate-pinned.png'), fullPage: true });

    await page.getByRole('button', { name: 'Save account' }).click();
    await expect.poll(async () => (await calls(page, 'saveAccount')).length).toBe(1);
    const [[saved]] = (await calls(page, 'saveAccount')) as [[{ account: object }]];
    expect(saved.account).toMatchObject({
      host: '127.0.0.1',
      port: 1143,
      tls: 'starttls',
      certificateFingerprint: fingerprint,
    });
    expect(errors).toEqual([]);
  });

  it('offers no button for a provider whose certificates come from public authorities, in dark mode', async () => {
    const gmail: CertificateView = {
      ...bridgeCertificate,
      subject: 'CN=imap.gmail.com',
      issuer: 'CN=Some Proxy CA',
      problem: 'issued by an authority not trusted here (UNABLE_TO_GET_ISSUER_CERT_LOCALLY)',
      pinnable: false,
      provider: 'Gmail',
    };
    const { page, errors } = await open({ testResult: refused(gmail) }, 'dark');
    await fillBridge(page);
    await page.getByLabel('IMAP server').fill('imap.gmail.com');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => offer(page).isVisible()).toBe(true);
    expect(await page.locator('#certificate-fingerprint').textContent()).toBe(fingerprint);
    expect(await page.getByRole('button', { name: 'Trust this certificate' }).isVisible()).toBe(
      false,
    );
    expect(await page.locator('#certificate-advice').textContent()).toMatch(
      /^Gmail's servers have certificates from public authorities/,
    );
    await page.screenshot({ path: shot('settings-certificate-refused-dark.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('says when trusting replaces a pin, and takes the offer away when the server changes', async () => {
    const { page } = await open({
      testResult: refused({ ...bridgeCertificate, replacesPin: true }),
    });
    await fillBridge(page);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => offer(page).isVisible()).toBe(true);
    expect(await page.locator('#certificate-offer-title').textContent()).toMatch(
      /^This is not the certificate you trusted: /,
    );
    expect(await page.locator('#certificate-advice').textContent()).toMatch(
      /^If the server's certificate was renewed/,
    );
    await page.getByLabel('Port').fill('1144');
    expect(await offer(page).isVisible()).toBe(false);
    expect(await page.getByLabel('Trust exactly this certificate (SHA-256)').inputValue()).toBe('');
  });

  it('asks for the stored password again once a saved account pins a certificate', async () => {
    const bridgeAccount = { ...work, host: '127.0.0.1', port: 1143, tls: 'starttls' as const };
    const { page } = await open({
      settings: { ...emptySettings, accounts: [bridgeAccount] },
      testResult: refused(bridgeCertificate),
    });
    await page.getByRole('button', { name: 'Edit Work' }).click();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => offer(page).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Trust this certificate' }).click();
    // The stored password was saved for the certificate the authorities vouch for, not this one.
    await expect
      .poll(() => page.locator('#f-password-error').textContent())
      .toBe('The server, port, security, certificate or user changed: enter the password again.');
    expect(await focusedId(page)).toBe('f-password');
    expect(await calls(page, 'testAccount')).toHaveLength(1);
    await page.getByLabel('Password', { exact: true }).fill('bridge-password');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(async () => (await calls(page, 'testAccount')).length).toBe(2);
    const tests = (await calls(page, 'testAccount')) as Array<
      [{ account: { certificateFingerprint?: string; password?: string } }]
    >;
    const again = tests[1]?.[0];
    expect(again?.account).toMatchObject({
      certificateFingerprint: fingerprint,
      password: 'bridge-password',
    });
  });

  it('offers "Check certificate" for a saved account stopped at its certificate, which tests it and shows the offer', async () => {
    const bridgeAccount = { ...work, host: '127.0.0.1', port: 1143, tls: 'starttls' as const };
    const { page, errors } = await open({
      settings: { ...emptySettings, accounts: [bridgeAccount] },
      statuses: [
        {
          account: 'work',
          mailbox: 'INBOX',
          state: 'tls-error',
          detail: `self-signed certificate; server certificate "127.0.0.1" SHA-256 ${fingerprint}`,
          unread: null,
        },
      ],
      testResult: refused(bridgeCertificate),
    });
    const check = page.getByRole('button', { name: 'Check the certificate of Work' });
    await expect.poll(() => check.isVisible()).toBe(true);
    await page.screenshot({ path: shot('settings-certificate-check.png'), fullPage: true });
    await check.click();
    await expect.poll(() => offer(page).isVisible()).toBe(true);
    expect(await page.locator('#certificate-fingerprint').textContent()).toBe(fingerprint);
    // The stored password applies to the saved server: the test asked main without one.
    const [[tested]] = (await calls(page, 'testAccount')) as [
      [{ originalId?: string; account: { password?: string } }],
    ];
    expect(tested).toMatchObject({ originalId: 'work' });
    expect(tested.account.password).toBeUndefined();
    // Once watching again, the button goes.
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.evaluate(() =>
      (window as unknown as { __pushStatus(s: unknown[]): void }).__pushStatus([
        { account: 'work', mailbox: 'INBOX', state: 'idle', detail: 'watching', unread: 0 },
      ]),
    );
    await expect.poll(() => check.count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('says what a test waits for while the account uses all its connections', async () => {
    const { page, errors } = await open({
      settings: { ...emptySettings, accounts: [work] },
      holdTests: true,
      testResult: { ok: true, mailboxes: ['INBOX', 'Team'] },
    });
    await page.getByRole('button', { name: 'Edit Work' }).click();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => page.locator('#test-result').textContent()).toBe('Testing…');
    const waiting =
      'Waiting for a free connection: this account may use 1 at once (maxConnections)…';
    await page.evaluate(
      (message) =>
        (window as unknown as { __pushTestProgress(m: string): void }).__pushTestProgress(message),
      waiting,
    );
    await expect.poll(() => page.locator('#test-result').textContent()).toBe(waiting);
    expect(await page.getByRole('button', { name: 'Test connection' }).isDisabled()).toBe(true);
    await page.screenshot({ path: shot('settings-test-waiting.png'), fullPage: true });
    await page.evaluate(() => (window as unknown as { __finishTest(): void }).__finishTest());
    await expect
      .poll(() => page.locator('#test-result').textContent())
      .toBe('Connected. 2 mailboxes found.');
    // Progress after the test ended changes nothing.
    await page.evaluate(
      (message) =>
        (window as unknown as { __pushTestProgress(m: string): void }).__pushTestProgress(message),
      waiting,
    );
    expect(await page.locator('#test-result').textContent()).toBe('Connected. 2 mailboxes found.');
    expect(errors).toEqual([]);
  });
});
