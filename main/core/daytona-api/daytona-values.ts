/** openapi-generator's member for a value the generated client does not know: not one of Daytona's values. */
const UNKNOWN_MEMBER = 'UNKNOWN_DEFAULT_OPEN_API';

type Known<E> = E[Exclude<keyof E, typeof UNKNOWN_MEMBER>];

/**
 * The values of an enum of Daytona's generated API client (@daytona/api-client, e.g. SandboxState), as the
 * non-empty tuple zod's z.enum takes, so our lists follow Daytona's instead of being typed out again.
 */
export function daytonaValues<E extends Record<string, string>>(members: E): [Known<E>, ...Known<E>[]] {
  const values = Object.entries(members)
    .filter(([key]) => key !== UNKNOWN_MEMBER)
    .map(([, value]) => value as Known<E>);
  if (values.length === 0) throw new Error('An enum of the Daytona API client has no values.');
  return values as [Known<E>, ...Known<E>[]];
}
