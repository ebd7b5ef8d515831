/** The message of any thrown value, for wrapping low-level errors into clear ones. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
