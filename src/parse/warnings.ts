const MAX_WARNING_LENGTH = 300;

/**
 * Daemon warnings span lines ("\nWARNING: The devicemapper storage-driver is
 * deprecated…\n         Refer to…"); a label value is one line, so runs of
 * white space fold into one space. Long texts are cut to keep labels bounded.
 */
export function warningToLabel(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_WARNING_LENGTH ? `${oneLine.slice(0, MAX_WARNING_LENGTH - 1)}…` : oneLine;
}
