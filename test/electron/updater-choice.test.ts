/** Which builds update themselves: packaged Windows and macOS builds, and the AppImage. */
import { describe, expect, it } from 'vitest';
import { whyNoUpdates } from '../../app/main/electron/updater-choice.js';

const packaged = { isPackaged: true, appImage: undefined, packageType: undefined };

describe('whyNoUpdates', () => {
  it('lets the NSIS, zip and AppImage builds update themselves', () => {
    expect(whyNoUpdates({ ...packaged, platform: 'win32' })).toBeUndefined();
    expect(whyNoUpdates({ ...packaged, platform: 'darwin' })).toBeUndefined();
    expect(
      whyNoUpdates({ ...packaged, platform: 'linux', appImage: '/home/ann/Tidings.AppImage' }),
    ).toBeUndefined();
  });

  it('leaves the deb and rpm installs to the package manager', () => {
    for (const packageType of ['deb', 'rpm']) {
      expect(whyNoUpdates({ ...packaged, platform: 'linux', packageType })).toBe(
        'updates come from your package manager',
      );
    }
  });

  it('never updates a development checkout', () => {
    expect(whyNoUpdates({ ...packaged, isPackaged: false, platform: 'win32' })).toBe(
      'a development build: no updates',
    );
  });
});
