/**
 * Tiny DOM helpers. Text always goes in through `textContent`: server names, subjects and
 * error messages never become markup.
 */

/** The element with `id`, or a loud failure if the page lacks it. */
export function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element as T;
}

/** Creates an element with attributes and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) element.append(child);
  return element;
}

/** Shows `message` under the field `name` of a form whose ids start with `prefix`. */
export function setFieldError(prefix: string, name: string, message: string): void {
  const errorId = `${prefix}-${name}-error`;
  const error = document.getElementById(errorId);
  const input = document.getElementById(`${prefix}-${name}`);
  if (error) error.textContent = message;
  if (input) markInvalid(input, errorId, message !== '');
}

/**
 * Marks `control` invalid or valid and links it to its error text `errorId`, keeping any
 * hint it is already described by.
 */
export function markInvalid(control: Element, errorId: string, invalid: boolean): void {
  const others = (control.getAttribute('aria-describedby') ?? '')
    .split(/\s+/)
    .filter((id) => id && id !== errorId);
  const ids = invalid ? [errorId, ...others] : others;
  if (invalid) control.setAttribute('aria-invalid', 'true');
  else control.removeAttribute('aria-invalid');
  if (ids.length > 0) control.setAttribute('aria-describedby', ids.join(' '));
  else control.removeAttribute('aria-describedby');
}
