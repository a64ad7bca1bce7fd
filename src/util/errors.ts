/** An error's one-line message, whatever was thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A filesystem error's code (ENOENT, EACCES, …), or its message when it has none. */
export function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return errorMessage(err);
}

/** Why a path could not be read, as the exporter's metrics and reports name it. */
export type AccessReason = 'missing' | 'permission' | 'other';

export function accessReason(err: unknown): AccessReason {
  const code = errorCode(err);
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
  return code === 'EACCES' || code === 'EPERM' ? 'permission' : 'other';
}
