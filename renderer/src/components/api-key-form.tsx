import { useId, useRef, useState, type FormEvent } from 'react';
import type { ProfileView } from '../../../preload/contract.ts';
import { useBridge } from '../bridge.ts';
import { useAction } from '../hooks/use-action.ts';
import { Button } from './button.tsx';

export interface ApiKeyFormProps {
  submitLabel: string;
  /** Offers the API URL field (self-hosted Daytona); it starts with this value. */
  apiUrl?: string;
  onSaved?(profile: ProfileView): void;
  onCancel?(): void;
}

/**
 * Paste a key -> main checks it against the API -> stores it in the keychain. The field is an uncontrolled
 * password input: React never holds the key in state and never mirrors it into a `value` attribute, so the
 * key is not in the DOM as text, and the form is reset once main has it.
 */
export function ApiKeyForm({ submitLabel, apiUrl, onSaved, onCancel }: ApiKeyFormProps) {
  const bridge = useBridge();
  const save = useAction(bridge.saveApiKey);
  const form = useRef<HTMLFormElement>(null);
  const [showAdvanced, setShowAdvanced] = useState(false);
  const keyId = useId();
  const urlId = useId();
  const errorId = useId();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const apiKey = String(data.get('apiKey') ?? '').trim();
    if (!apiKey) return;
    const url = String(data.get('apiUrl') ?? '').trim();
    const result = await save.run({ apiKey, ...(url && url !== apiUrl ? { apiUrl: url } : {}) });
    if (result?.ok) {
      form.current?.reset();
      onSaved?.(result.value);
    }
  }

  return (
    <form ref={form} className="stack" onSubmit={(event) => void submit(event)} aria-busy={save.pending || undefined}>
      <div className="field">
        <label htmlFor={keyId}>API key</label>
        <input
          id={keyId}
          name="apiKey"
          type="password"
          required
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="off"
          placeholder="dtn_…"
          aria-describedby={save.error ? errorId : undefined}
          aria-invalid={save.error ? true : undefined}
          disabled={save.pending}
          onInput={save.clearError}
        />
      </div>
      {showAdvanced ? (
        <div className="field">
          <label htmlFor={urlId}>API URL</label>
          <input
            id={urlId}
            name="apiUrl"
            type="url"
            defaultValue={apiUrl ?? 'https://app.daytona.io/api'}
            spellCheck={false}
            disabled={save.pending}
          />
        </div>
      ) : null}
      {save.error ? (
        <p id={errorId} className="error-text" role="alert">
          {save.error.message}
        </p>
      ) : null}
      <div className="row gap">
        <Button type="submit" variant="primary" pending={save.pending} pendingLabel="Checking key…">
          {submitLabel}
        </Button>
        {onCancel ? (
          <Button variant="ghost" onClick={onCancel} disabled={save.pending}>
            Cancel
          </Button>
        ) : null}
        {!showAdvanced ? (
          <button type="button" className="link small push-end" onClick={() => setShowAdvanced(true)}>
            Self-hosted Daytona?
          </button>
        ) : null}
      </div>
    </form>
  );
}
