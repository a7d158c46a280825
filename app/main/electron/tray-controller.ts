/**
 * The tray icon: its image (unread / quiet / problem; black-and-alpha templates on macOS),
 * tooltip and menu, rebuilt from state on every change.
 */
import path from 'node:path';
import { Menu, nativeImage, Tray, type NativeImage } from 'electron';
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
  destroy(): void;
}

/** Creates the tray with icons from `assetsDir/tray`. */
export function createTrayController(
  assetsDir: string,
  actions: TrayActions,
  platform: NodeJS.Platform = process.platform,
): TrayController {
  // nativeImage picks up name@2x.png beside name.png by itself; "Template" names are
  // treated as template images on macOS (drawn in the menu bar's own colour).
  const images = new Map<TrayIconKind, NativeImage>();
  const image = (kind: TrayIconKind) => {
    let loaded = images.get(kind);
    if (!loaded) {
      const file = platform === 'darwin' ? `${kind}Template.png` : `${kind}.png`;
      loaded = nativeImage.createFromPath(path.join(assetsDir, 'tray', file));
      images.set(kind, loaded);
    }
    return loaded;
  };
  const tray = new Tray(image('quiet'));
  tray.setToolTip('Tidings');
  return {
    update(state) {
      const { icon, tooltip } = summarizeTray(state.statuses);
      tray.setImage(image(icon));
      tray.setToolTip(tooltip);
      tray.setContextMenu(Menu.buildFromTemplate(buildTrayMenu(state, actions)));
    },
    destroy: () => tray.destroy(),
  };
}
