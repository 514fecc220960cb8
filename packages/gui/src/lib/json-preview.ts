/** A payload as indented JSON for a `<pre>`, cut at `max` characters so a huge payload cannot freeze the page. */
export function jsonPreview(value: unknown, max = 50_000): string {
  let text: string;
  try {
    text = JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    text = String(value); // a cycle cannot come from the wire, but never throw while rendering
  }
  return text.length > max ? `${text.slice(0, max)}\n… (${text.length - max} more characters)` : text;
}
