/**
 * The Desktop Notifications Specification lets a server read a notification's body as a
 * small markup language (`<b>`, `<i>`, `<a href>`, `<img>`), and most Linux servers do
 * ("body-markup"). A subject of `<b>Your bank</b>` or one with a link must show as text, so
 * every body that goes to a Linux notification server is entity-escaped first. The summary
 * (title) is never parsed as markup.
 */

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** `text` with the five XML special characters written as entities. */
export function escapeNotificationMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}
