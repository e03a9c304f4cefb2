import { useId, useState, type FormEvent } from 'react';
import type { AppState } from '../../../preload/contract.ts';
import { useBridge } from '../bridge.ts';
import { useAction } from '../hooks/use-action.ts';
import { ApiKeyForm } from './api-key-form.tsx';
import { Banner } from './banner.tsx';
import { Button } from './button.tsx';
import { Dialog } from './dialog.tsx';
import { SignInButton } from './sign-in-button.tsx';

/** Which profile is active, where it points, its key (masked) and the sign-in that shows the wallet. */
export function AccountSettings({ state }: { state: AppState }) {
  const bridge = useBridge();
  const { profile, account } = state;
  const switchProfile = useAction(bridge.switchProfile);
  const updateProfile = useAction(bridge.updateProfile);
  const removeKey = useAction(bridge.removeApiKey);
  const signOut = useAction(bridge.signOut);
  const useLocalAction = useAction(bridge.useLocalProvider);
  const [editingKey, setEditingKey] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const profileId = useId();
  const urlId = useId();
  const targetId = useId();
  const error = switchProfile.error ?? updateProfile.error ?? removeKey.error ?? signOut.error ?? useLocalAction.error;
  const cloud = profile.kind === 'cloud';
  const hasLocal = profile.profiles.some((p) => p.kind === 'local');

  function saveEndpoint(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const apiUrl = String(data.get('apiUrl') ?? '').trim();
    const target = String(data.get('target') ?? '').trim();
    void updateProfile.run({
      ...(apiUrl && apiUrl !== profile.apiUrl ? { apiUrl } : {}),
      target: target ? target : null,
    });
  }

  return (
    <fieldset className="card settings-group" aria-busy={switchProfile.pending || undefined}>
      <legend>Account</legend>
      <div className="inline-form">
        <label htmlFor={profileId}>Profile</label>
        <select
          id={profileId}
          value={profile.name}
          onChange={(event) => void switchProfile.run({ profile: event.currentTarget.value })}
          disabled={switchProfile.pending}
        >
          {profile.profiles.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name} ({p.kind === 'local' ? 'this computer' : p.kind === 'cloud' ? 'Daytona' : 'unsupported'})
            </option>
          ))}
        </select>
      </div>
      {profile.problem ? <Banner tone="warning">{profile.problem}</Banner> : null}
      {error ? (
        <p className="error-text" role="alert">
          {error.message}
        </p>
      ) : null}

      {cloud ? (
        <>
          <div className="key-line">
            <span>API key</span>
            {profile.apiKey.set ? (
              <code aria-label={`API key ending in ${profile.apiKey.suffix ?? ''}`}>••••••••{profile.apiKey.suffix ?? ''}</code>
            ) : (
              <span className="muted">not set</span>
            )}
            {profile.apiKey.source === 'env' ? <span className="muted small">from DAYTONA_API_KEY</span> : null}
          </div>
          {editingKey ? (
            <ApiKeyForm
              submitLabel={profile.apiKey.set ? 'Check and replace' : 'Check and save'}
              {...(profile.apiUrl ? { apiUrl: profile.apiUrl } : {})}
              onSaved={() => setEditingKey(false)}
              onCancel={() => setEditingKey(false)}
            />
          ) : profile.apiKey.source !== 'env' ? (
            <div className="row gap">
              <Button size="small" onClick={() => setEditingKey(true)}>
                {profile.apiKey.set ? 'Replace key' : 'Add key'}
              </Button>
              {profile.apiKey.set ? (
                <Button
                  size="small"
                  variant="ghost"
                  className="danger-text"
                  onClick={() => setConfirmRemove(true)}
                  pending={removeKey.pending}
                  pendingLabel="Removing…"
                >
                  Remove key
                </Button>
              ) : null}
            </div>
          ) : null}

          <form className="stack tight" onSubmit={saveEndpoint} key={`${profile.name}:${profile.apiUrl}:${profile.target}`}>
            <div className="field">
              <label htmlFor={urlId}>API URL</label>
              <input id={urlId} name="apiUrl" type="url" defaultValue={profile.apiUrl} spellCheck={false} />
            </div>
            <div className="field">
              <label htmlFor={targetId}>Target region</label>
              <input
                id={targetId}
                name="target"
                type="text"
                defaultValue={profile.target ?? ''}
                placeholder="Organization default"
                spellCheck={false}
              />
            </div>
            <div className="row">
              <Button type="submit" size="small" pending={updateProfile.pending} pendingLabel="Saving…">
                Save endpoint
              </Button>
            </div>
          </form>

          <div className="account-line">
            {account.state === 'signed-in' ? (
              <>
                <span>
                  Signed in{account.email ? ` as ${account.email}` : ''}
                  {account.organizationName ? <span className="muted"> · {account.organizationName}</span> : null}
                </span>
                <Button
                  size="small"
                  variant="ghost"
                  onClick={() => void signOut.run()}
                  pending={signOut.pending}
                  pendingLabel="Signing out…"
                >
                  Sign out
                </Button>
              </>
            ) : account.state === 'unavailable' ? (
              <span className="muted small">{account.reason}</span>
            ) : (
              <div className="stack tight">
                <span className="muted small">
                  {account.state === 'signed-out' && account.message ? account.message : 'Sign in to see your balance in the tray.'}
                </span>
                <SignInButton account={account} />
              </div>
            )}
          </div>
        </>
      ) : profile.kind === 'local' ? (
        <>
          <p className="muted small">
            Sandboxes run on this computer{profile.isolation === 'bubblewrap' ? ', each isolated with bubblewrap' : ''}. No account, no
            cost.
          </p>
          {profile.isolation === 'none' ? (
            <Banner tone="warning" title="Not isolated">
              bubblewrap is not installed: local sandboxes run as plain processes. Install bubblewrap (bwrap) to isolate them.
            </Banner>
          ) : null}
          {editingKey ? (
            <ApiKeyForm submitLabel="Check and save" onSaved={() => setEditingKey(false)} onCancel={() => setEditingKey(false)} />
          ) : (
            <div className="row">
              <Button size="small" onClick={() => setEditingKey(true)}>
                Use my Daytona account
              </Button>
            </div>
          )}
        </>
      ) : null}
      {cloud && !hasLocal ? (
        <div className="row">
          <Button size="small" variant="ghost" onClick={() => void useLocalAction.run()} pending={useLocalAction.pending}>
            Use the local provider instead
          </Button>
        </div>
      ) : null}

      <Dialog open={confirmRemove} title="Remove the API key?" onClose={() => setConfirmRemove(false)}>
        <p className="muted">
          The key is deleted from your OS keychain. The MCP server and the sandbox list stop working for profile “{profile.name}” until you
          add a key again.
        </p>
        <div className="row gap end">
          <Button variant="ghost" onClick={() => setConfirmRemove(false)} autoFocus>
            Cancel
          </Button>
          <Button
            variant="danger"
            onClick={() => {
              setConfirmRemove(false);
              void removeKey.run({});
            }}
          >
            Remove key
          </Button>
        </div>
      </Dialog>
    </fieldset>
  );
}
