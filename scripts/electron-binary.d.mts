/** node_modules/electron of this checkout. */
export declare const electronDir: string;
/** The Electron binary in `dir`, or undefined when it is not installed. */
export declare function findElectronBinary(
  dir?: string,
  exists?: (file: string) => boolean,
): string | undefined;
