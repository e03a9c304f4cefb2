/**
 * Why an entry of ours will not keep working, from the paths it names (its command and its script):
 *  - `appimage-mount`: inside an AppImage's mount (`/tmp/.mount_<name><random>`), made anew at every launch and
 *    gone when the app quits;
 *  - `translocated`: inside a macOS App Translocation folder (`.../AppTranslocation/<uuid>/...`), a random read-only
 *    copy of an app run from where it was downloaded, gone once it quits;
 *  - `in-archive`: a script inside app.asar (entries of versions that ran the CLI's ES modules from the archive);
 *  - `missing`: the command or the script is not there (the app moved, or an update renamed it).
 * Undefined when the entry names lasting paths that exist.
 */
export type StaleReason = 'appimage-mount' | 'translocated' | 'in-archive' | 'missing';

const APPIMAGE_MOUNT = /(^|[/\\])\.mount_[^/\\]+[/\\]/;
const TRANSLOCATED = /\/AppTranslocation\/[^/]+\//;
const IN_ARCHIVE = /\.asar[/\\]/;

export function launchStaleness(command: string, script: string | undefined, exists: (path: string) => boolean): StaleReason | undefined {
  const paths = script === undefined ? [command] : [command, script];
  if (paths.some((path) => APPIMAGE_MOUNT.test(path))) return 'appimage-mount';
  if (paths.some((path) => TRANSLOCATED.test(path))) return 'translocated';
  if (script !== undefined && IN_ARCHIVE.test(script)) return 'in-archive';
  return paths.every(exists) ? undefined : 'missing';
}

/** The reason in words, for the log and the notification. */
export function staleReasonText(reason: StaleReason): string {
  switch (reason) {
    case 'appimage-mount':
      return "it pointed inside the AppImage's temporary mount";
    case 'translocated':
      return "it pointed at macOS's temporary copy of the app (App Translocation)";
    case 'in-archive':
      return 'it ran the command line from inside app.asar';
    case 'missing':
      return 'the program it started is no longer there';
  }
}
