import { useEffect, useRef, useState, type ReactNode } from 'react';

export interface DialogProps {
  open: boolean;
  title: string;
  children: ReactNode;
  onClose(): void;
  /** Extra class on the <dialog> (e.g. `dialog-wide` for a picture). */
  className?: string;
}

/**
 * A modal on the native <dialog>: focus moves into it and stays there, Escape closes it, and focus returns
 * to the button that opened it. The <dialog> element is created the first time the dialog opens, not with
 * the component (each sandbox row has three that are usually never opened, and they cost the window's first
 * render), and is kept from then on, so that closing it is the native close() that returns the focus.
 */
export function Dialog(props: DialogProps) {
  const [opened, setOpened] = useState(props.open);
  if (props.open && !opened) setOpened(true);
  return opened ? <ModalDialog {...props} /> : null;
}

function ModalDialog({ open, title, children, onClose, className }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={className ? `dialog ${className}` : 'dialog'}
      aria-label={title}
      onClose={onClose}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      {open ? (
        <>
          <h2 className="dialog-title">{title}</h2>
          {children}
        </>
      ) : null}
    </dialog>
  );
}
