// Checks the profile makes before asking the server (which checks again).

/** Whether `value` is an absolute https URL (the only kind `updateMe`'s `imageUrl` takes). */
export function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value.trim());
    return url.protocol === "https:" && url.hostname !== "";
  } catch {
    return false;
  }
}

/** Whether the text typed to confirm a deletion matches the phrase asked for (exactly, trimmed). */
export function deletionConfirmed(typed: string, phrase: string): boolean {
  return typed.trim() === phrase;
}

/** The backup codes as the text file offered for download, one code a line. */
export function backupCodesText(codes: readonly string[], instanceName: string): string {
  return `${instanceName} backup codes\n\n${codes.join("\n")}\n`;
}
