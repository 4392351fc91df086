/**
 * The frame every mlcycle HTML report shares (exploration, evaluation, tuning history): one self-contained
 * page with inline CSS, readable offline, and the escaping and number formatting its sections use.
 */

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char);
}

/** A number for a report: grouped integers, 5 significant digits, exponents for the very small and large. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return value.toLocaleString('en-US');
  const magnitude = Math.abs(value);
  return magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6) ? value.toExponential(3) : Number(value.toPrecision(5)).toString();
}

const STYLE = `
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #111827; margin: 0; background: #f3f4f6; }
  main { max-width: 1100px; margin: 0 auto; padding: 24px; }
  h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 10px; border-bottom: 1px solid #d1d5db; padding-bottom: 4px; }
  h3 { font-size: 15px; margin: 0 0 6px; } .muted { color: #6b7280; }
  .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 10px; }
  .card { background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; padding: 10px 12px; }
  .card b { display: block; font-size: 20px; }
  .variable { background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; padding: 14px; margin: 12px 0; display: grid; grid-template-columns: 360px 1fr; gap: 16px; }
  .variable.compare { grid-template-columns: 1fr 1fr; }
  table { border-collapse: collapse; width: 100%; font-size: 13px; } td, th { text-align: left; padding: 3px 8px 3px 0; border-bottom: 1px solid #f3f4f6; vertical-align: top; }
  th { color: #6b7280; font-weight: 500; } td.num { font-variant-numeric: tabular-nums; }
  .tag { display: inline-block; font-size: 11px; padding: 1px 7px; border-radius: 10px; background: #e0e7ff; color: #3730a3; margin-left: 6px; vertical-align: middle; }
  .alert { padding: 6px 10px; border-left: 4px solid #f59e0b; background: #fffbeb; margin: 4px 0; border-radius: 4px; }
  .alert.leak { border-color: #dc2626; background: #fef2f2; } .alert .kind { font-weight: 600; margin-right: 6px; }
  .verdict { font-size: 15px; padding: 10px 12px; background: #ecfdf5; border: 1px solid #a7f3d0; border-radius: 8px; }
  svg { max-width: 100%; height: auto; }
`;

/** A whole self-contained report page. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>
`;
}
