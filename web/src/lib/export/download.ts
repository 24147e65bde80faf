/**
 * Saving a file the page made (CSV text, a chart's PNG): an object URL on a temporary link with a
 * `download` name, so the browser saves it instead of opening it.
 */

/** CSV for spreadsheets: a byte-order mark first, so Excel reads it as UTF-8 (names with accents). */
export function saveCsv(name: string, csv: string): void {
  saveBlob(name, new Blob([`\uFEFF${csv}`], { type: 'text/csv;charset=utf-8' }));
}

export function saveBlob(name: string, blob: Blob): void {
  saveUrl(name, URL.createObjectURL(blob));
}

export function saveUrl(name: string, url: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked after the click has been handled: the download has its own reference by then.
  if (url.startsWith('blob:')) setTimeout(() => URL.revokeObjectURL(url), 0);
}
