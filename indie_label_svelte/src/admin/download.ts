// A CSV file made in the browser and saved (the study links exist only in the answer that made them).
function csvCell(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}

export function downloadCsv(filename: string, header: string[], rows: string[][]): void {
  const text = [header, ...rows].map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
  const anchor = Object.assign(document.createElement("a"), { href: url, download: filename });
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  URL.revokeObjectURL(url);
}
