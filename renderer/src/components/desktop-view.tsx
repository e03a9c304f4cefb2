import { useState } from 'react';
import type { DesktopFrame } from '../../../preload/contract.ts';
import { useDesktopFrame } from '../hooks/use-desktop-frame.ts';
import { countRender } from '../render-count.ts';
import { Button } from './button.tsx';
import { Dialog } from './dialog.tsx';

const imageSource = (frame: DesktopFrame & { jpegBase64: string }) => `data:image/jpeg;base64,${frame.jpegBase64}`;

/**
 * A running sandbox's desktop (computer use): a live thumbnail in its row, shown only while a desktop runs,
 * and a button that opens a larger, refreshing view in a dialog (Escape closes it). While the larger view is
 * open the thumbnail waits, so the sandbox is asked for one picture at a time.
 */
export function DesktopThumbnail({ id, name, started }: { id: string; name: string; started: boolean }) {
  countRender('DesktopThumbnail');
  const [open, setOpen] = useState(false);
  const thumbnail = useDesktopFrame(id, 'thumbnail', started, open);
  const large = useDesktopFrame(id, 'large', started, !open);
  const shown = thumbnail.frame;

  return (
    <>
      {shown ? (
        <button
          type="button"
          className="desktop-thumb"
          aria-label={`Show the desktop of ${name}`}
          title="Show this sandbox's desktop larger"
          onClick={() => setOpen(true)}
        >
          <img src={imageSource(shown)} width={shown.width} height={shown.height} alt="" />
        </button>
      ) : null}
      <Dialog open={open} title={`Desktop of ${name}`} onClose={() => setOpen(false)} className="dialog-wide">
        {large.frame ? (
          <img
            className="desktop-large"
            src={imageSource(large.frame)}
            width={large.frame.width}
            height={large.frame.height}
            alt={`The desktop of ${name}, refreshed every few seconds`}
          />
        ) : large.off ? (
          <p className="muted">The desktop of this sandbox is not running any more.</p>
        ) : (
          <p className="muted" aria-busy="true">
            <span className="spinner" aria-hidden="true" /> Loading the desktop…
          </p>
        )}
        {large.error ? <p className="error-text">{large.error.message}</p> : null}
        <div className="row gap end">
          <Button variant="ghost" onClick={() => setOpen(false)} autoFocus>
            Close
          </Button>
        </div>
      </Dialog>
    </>
  );
}
