import type { AccountView } from '../../../preload/contract.ts';
import { useBridge } from '../bridge.ts';
import { useAction } from '../hooks/use-action.ts';
import { Button } from './button.tsx';

/** "Sign in with Daytona" (opens the browser) with a way to give up while it waits, and its error. */
export function SignInButton({ account, label = 'Sign in with Daytona' }: { account: AccountView; label?: string }) {
  const bridge = useBridge();
  const signIn = useAction(bridge.signIn);
  const cancel = useAction(bridge.cancelSignIn);
  const waiting = signIn.pending || account.state === 'signing-in';
  return (
    <div className="stack tight">
      <div className="row gap">
        <Button variant="primary" onClick={() => void signIn.run()} pending={waiting} pendingLabel="Waiting for the browser…">
          {label}
        </Button>
        {waiting ? (
          <Button variant="ghost" onClick={() => void cancel.run()}>
            Cancel
          </Button>
        ) : null}
      </div>
      {signIn.error && signIn.error.code !== 'cancelled' ? (
        <p className="error-text" role="alert">
          {signIn.error.message}
        </p>
      ) : null}
    </div>
  );
}
