/**
 * The base of the app's own errors. Its message is written for the user (what happened and what to do); its
 * `name` is the subclass's own, so logs say which error it was and a check by name works across module copies
 * (the watcher tells SignInRequiredError apart that way). `cause` keeps the error it explains, for logs.
 */
export class AppError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An AppError with a machine-readable `code` that callers branch on (the message is for people). */
export class CodedError<Code extends string> extends AppError {
  readonly code: Code;
  constructor(code: Code, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
