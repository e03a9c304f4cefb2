import { useId, useState, type FormEvent } from 'react';
import type { TransferFolderView } from '../../../preload/contract.ts';
import { useBridge } from '../bridge.ts';
import { useAction } from '../hooks/use-action.ts';
import { Button } from './button.tsx';

/** A full path as main takes it: POSIX, `~/`, or a Windows drive. Main checks the rest (not home, not a file). */
const FULL_PATH = /^(\/|~(\/|$)|[A-Za-z]:[\\/])/;

/**
 * The one folder on this computer that AI clients' file_download and file_upload may write to and read from:
 * shown, typed (Enter or Save), picked with the desktop's folder picker where there is one, or reset.
 */
export function TransferFolderSetting({ folder, canPick }: { folder: TransferFolderView; canPick: boolean }) {
  const bridge = useBridge();
  const update = useAction(bridge.updateSettings);
  const pick = useAction(bridge.pickTransferFolder);
  const [draft, setDraft] = useState<string>();
  const [problem, setProblem] = useState<string>();
  const fieldId = useId();
  const hintId = useId();
  const errorId = useId();

  const error = problem ?? update.error?.message ?? pick.error?.message;
  const edited = draft !== undefined && draft.trim() !== folder.path;

  async function save(transferFolder: string | null) {
    const result = await update.run({ transferFolder });
    if (result?.ok) setDraft(undefined);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!edited) return;
    const typed = draft.trim();
    if (!FULL_PATH.test(typed)) {
      setProblem(`"${typed}" is not a full path: start it with / (or ~/ for your home folder).`);
      return;
    }
    void save(typed);
  }

  async function browse() {
    setProblem(undefined);
    const picked = await pick.run();
    if (picked?.ok && picked.value.path) void save(picked.value.path);
  }

  return (
    <form className="field" onSubmit={submit}>
      <label htmlFor={fieldId}>Transfer folder</label>
      <p id={hintId} className="muted small">
        AI clients may save downloads to, and upload files from, this folder only{folder.chosen ? '' : ' (the default)'}.
      </p>
      <div className="path-row">
        <input
          id={fieldId}
          type="text"
          spellCheck={false}
          autoComplete="off"
          value={draft ?? folder.path}
          aria-describedby={error ? `${hintId} ${errorId}` : hintId}
          aria-invalid={error ? true : undefined}
          onChange={(event) => {
            setDraft(event.currentTarget.value);
            setProblem(undefined);
            update.clearError();
          }}
        />
        {edited ? (
          <Button type="submit" size="small" variant="primary" pending={update.pending} pendingLabel="Saving…">
            Save folder
          </Button>
        ) : null}
        {canPick ? (
          <Button size="small" onClick={() => void browse()} pending={pick.pending} pendingLabel="Choosing…">
            Choose…
          </Button>
        ) : null}
        {folder.chosen && !edited ? (
          <Button size="small" variant="ghost" onClick={() => void save(null)}>
            Use default
          </Button>
        ) : null}
      </div>
      {error ? (
        <p id={errorId} className="error-text" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
