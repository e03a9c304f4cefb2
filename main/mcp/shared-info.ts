import { keyProof, type SharedServerInfo } from '../core/shared-server-info.ts';
import type { ProfileSource } from './profile-source.ts';
import { TOOL_GROUPS } from './tool-kit.ts';

/** The shared server's answer to GET /server-info (see SharedServerInfo): what it serves, for a tray that may adopt it. */
export function describeSharedServer(deps: { profiles: ProfileSource; groups?: Iterable<string> | undefined; sessions(): number }) {
  return async (nonce: string): Promise<SharedServerInfo> => {
    const groups = [...(deps.groups ?? TOOL_GROUPS)];
    let profile;
    try {
      // On the local profile this starts the embedded provider if no call has yet: the tray's watcher needs it.
      profile = await deps.profiles.active();
    } catch (error) {
      return { pid: process.pid, sessions: deps.sessions(), groups, profile: null, profileProblem: (error as Error).message };
    }
    if (!profile)
      return { pid: process.pid, sessions: deps.sessions(), groups, profile: null, profileProblem: 'no Daytona profile is configured' };
    if (profile.kind === 'local') {
      return {
        pid: process.pid,
        sessions: deps.sessions(),
        groups,
        profile: { name: profile.name, kind: 'local' },
        local: { apiUrl: profile.apiUrl, apiKey: profile.apiKey },
      };
    }
    return {
      pid: process.pid,
      sessions: deps.sessions(),
      groups,
      profile: {
        name: profile.name,
        kind: 'cloud',
        apiUrl: profile.apiUrl,
        ...(profile.target ? { target: profile.target } : {}),
        keyProof: keyProof(nonce, profile.apiKey),
      },
    };
  };
}
