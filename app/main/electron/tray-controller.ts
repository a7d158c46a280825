/**
 * The tray icon: its image (unread / quiet / problem; black-and-alpha templates on macOS),
 * tooltip and menu, rebuilt from state on every change; with a count in the icon, the image
 * is drawn here (app/main/icons) at 1×, 1.5× and 2× and kept per count, kind and platform.
 * It also tells when the user looked at the tray, which resets the count of new mail.
 */
import path from 'node:path';
import { Menu, nativeImage, Tray, type NativeImage } from 'electron';
import { countLabel, renderCountIcon } from '../icons/index.js';
import {
  buildTrayMenu,
  summarizeTray,
  type TrayActions,
  type TrayIconKind,
  type TrayState,
} from './tray-menu.js';

/** The tray, updated from state. */
export interface TrayController {
  update(state: TrayState): void;
  /**
   * The icon and tooltip only: what the count of new mail changes. The menu shows nothing of
   * it, and is left alone — a look resets the count while the menu is opening, and replacing
   * an open menu's model is what a look must not do.
   */
  updateIcon(state: TrayState): void;
  destroy(): void;
}

/** The icon's size in points (macOS) or at 100 % scaling (Windows, Linux). */
export const TRAY_ICON_SIZE = 16;

/**
 * The scales a counted icon is drawn at: 16, 24 and 32 px. macOS uses 1× and 2× (Retina);
 * Windows picks the nearest to its display scaling (100 %, 150 %, 200 %); on Linux the
 * StatusNotifierItem host is sent what Chromium picks for the panel's size.
 */
export const TRAY_ICON_SCALES = [1, 1.5, 2] as const;

/**
 * Creates the tray with icons from `assetsDir/tray`. `actions.looked` is called when the user
 * looks at the tray. What Electron tells of that differs per platform (electron.d.ts, and
 * the Tray page's "Platform Considerations"):
 * - macOS and Windows: the icon's `click` and `right-click` (with a context menu set, macOS
 *   may open the menu instead of emitting `click`), and the menu's `menu-will-show`
 *   (electron.d.ts: "Emitted when `menu.popup()` is called"; a tray's menu opens through
 *   the same native menu runner there — not checked on those systems from here);
 * - Linux: the StatusNotifierItem host opens the menu itself over D-Bus: Electron emits no
 *   `click` (the Tray page: "When app indicator is used on Linux, the click event is
 *   ignored"), and the menu no `menu-will-show` (electron/electron#28837, closed unfixed).
 *   What is left is a click on any of the menu's items: the menu was open.
 * Listening to all of them is harmless: a second look in a row changes nothing.
 */
export function createTrayController(
  assetsDir: string,
  actions: TrayActions,
  platform: NodeJS.Platform = process.platform,
): TrayController {
  const template = platform === 'darwin';
  // Keyed by platform, kind and count text: at most 2 kinds × 100 texts, so no bound needed.
  const images = new Map<string, NativeImage>();
  const image = (kind: TrayIconKind, count: number) => {
    const label = kind === 'quiet' ? null : countLabel(count);
    const key = JSON.stringify([platform, kind, label]);
    let made = images.get(key);
    if (!made) {
      made =
        kind === 'quiet' || label === null
          ? fromAssets(assetsDir, kind, template)
          : drawCounted(kind, label, template);
      images.set(key, made);
    }
    return made;
  };
  // Each item's click also says the menu was open: on Linux, the only sign of a look.
  const looking = lookingActions(actions);
  const tray = new Tray(image('quiet', 0));
  tray.setToolTip('Tidings');
  tray.on('click', () => actions.looked());
  tray.on('right-click', () => actions.looked());
  const updateIcon = (state: TrayState) => {
    const { icon, badge, tooltip } = summarizeTray(state.statuses, state.newMail, state.tray);
    tray.setImage(image(icon, badge));
    tray.setToolTip(tooltip);
  };
  return {
    updateIcon,
    update(state) {
      updateIcon(state);
      const menu = Menu.buildFromTemplate(buildTrayMenu(state, looking));
      menu.on('menu-will-show', () => actions.looked());
      tray.setContextMenu(menu);
    },
    destroy: () => tray.destroy(),
  };
}

// nativeImage picks up name@2x.png beside name.png by itself; "Template" names are treated
// as template images on macOS (drawn in the menu bar's own colour).
function fromAssets(assetsDir: string, kind: TrayIconKind, template: boolean): NativeImage {
  const file = template ? `${kind}Template.png` : `${kind}.png`;
  return nativeImage.createFromPath(path.join(assetsDir, 'tray', file));
}

// One image with a PNG per scale: Electron picks the representation for the display. A PNG
// buffer needs no width and height: Electron tries PNG, then JPEG, and only then reads raw
// pixels of the given size (AddImageSkiaRepFromBuffer, shell/common/skia_util.cc).
function drawCounted(kind: 'unread' | 'problem', label: string, template: boolean): NativeImage {
  const drawn = nativeImage.createEmpty();
  for (const scaleFactor of TRAY_ICON_SCALES) {
    const size = TRAY_ICON_SIZE * scaleFactor;
    const buffer = renderCountIcon(size, label, kind, template ? 'template' : 'colour');
    drawn.addRepresentation({ scaleFactor, buffer });
  }
  if (template) drawn.setTemplateImage(true);
  return drawn;
}

function lookingActions(actions: TrayActions): TrayActions {
  const after =
    <A extends unknown[]>(act: (...args: A) => void) =>
    (...args: A) => {
      actions.looked();
      act(...args);
    };
  return {
    looked: () => actions.looked(),
    refresh: after(() => actions.refresh()),
    pause: after((choice) => actions.pause(choice)),
    openSettings: after(() => actions.openSettings()),
    showLog: after(() => actions.showLog()),
    setStartAtLogin: after((enabled) => actions.setStartAtLogin(enabled)),
    restartToUpdate: after(() => actions.restartToUpdate()),
    quit: after(() => actions.quit()),
  };
}
