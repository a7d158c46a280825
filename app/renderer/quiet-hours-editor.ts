/**
 * The quiet-hours list of the preferences form: periods of days and from–to times, added and
 * removed in place. The page is the source of truth: the list is read back from its controls
 * and drawn again whenever a period comes or goes.
 */
import type { QuietPeriodSettings } from '../common/settings-schema.js';
import { byId, h, markInvalid, setFieldError } from './dom.js';

type Weekday = QuietPeriodSettings['days'][number];

// Monday first, as calendars in most of the world show a week.
const dayLabels = {
  mon: 'Mon',
  tue: 'Tue',
  wed: 'Wed',
  thu: 'Thu',
  fri: 'Fri',
  sat: 'Sat',
  sun: 'Sun',
} satisfies Record<Weekday, string>;
const days = Object.keys(dayLabels) as Weekday[];

/** What "Add quiet hours" starts with: weekday nights. */
export const defaultQuietPeriod: QuietPeriodSettings = {
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  from: '22:00',
  to: '07:00',
};

// The schema's limit (settings-schema.ts): the Add button stops there.
const maxPeriods = 50;
const errorKey = 'notifications.quietHours';

/** Wires "Add quiet hours" once. */
export function setUpQuietHours(): void {
  byId('add-quiet-hours').addEventListener('click', () => {
    const periods = [...readQuietHours(), defaultQuietPeriod];
    showQuietHours(periods);
    byId(`q-${periods.length - 1}-${days[0] ?? 'mon'}`).focus();
  });
}

/** Draws `periods`, clearing any errors shown for the old ones. */
export function showQuietHours(periods: readonly QuietPeriodSettings[]): void {
  byId('quiet-list').replaceChildren(...periods.map(periodItem));
  byId('no-quiet-hours').hidden = periods.length > 0;
  byId<HTMLButtonElement>('add-quiet-hours').disabled = periods.length >= maxPeriods;
  setFieldError('p', 'quietHours', '');
}

/** The periods as the form shows them, incomplete ones included (times then are ''). */
export function readQuietHours(): QuietPeriodSettings[] {
  return [...byId('quiet-list').querySelectorAll<HTMLElement>('[data-period]')].map((item) => {
    const id = `q-${item.dataset.period ?? ''}`;
    return {
      days: days.filter((day) => byId<HTMLInputElement>(`${id}-${day}`).checked),
      from: byId<HTMLInputElement>(`${id}-from`).value,
      to: byId<HTMLInputElement>(`${id}-to`).value,
    };
  });
}

/** The problems found before asking main, keyed by the path main would name them with. */
export function checkQuietHours(periods: readonly QuietPeriodSettings[]): Record<string, string> {
  const errors: Record<string, string> = {};
  periods.forEach((period, index) => {
    const at = `${errorKey}.${index}`;
    if (period.days.length === 0) errors[`${at}.days`] = 'Choose at least one day.';
    if (!period.from) errors[`${at}.from`] = 'Enter a start time.';
    if (!period.to) errors[`${at}.to`] = 'Enter an end time.';
  });
  return errors;
}

/**
 * Shows the errors among `errors` that belong to quiet hours beside their controls (clearing
 * the others), and returns the first control to focus, if any.
 */
export function showQuietHoursErrors(errors: Record<string, string>): HTMLElement | null {
  let first: HTMLElement | null = null;
  const count = byId('quiet-list').querySelectorAll('[data-period]').length;
  setFieldError('p', 'quietHours', errors[errorKey] ?? '');
  if (errors[errorKey]) first = byId('add-quiet-hours');
  for (let index = 0; index < count; index++) {
    const at = `${errorKey}.${index}`;
    // A period main refused as a whole (an unknown key) is shown beside its days.
    const dayError = errors[`${at}.days`] ?? errors[at] ?? '';
    byId(`q-${index}-days-error`).textContent = dayError;
    for (const day of days) {
      markInvalid(byId(`q-${index}-${day}`), `q-${index}-days-error`, dayError !== '');
    }
    if (dayError) first ??= byId(`q-${index}-${days[0] ?? 'mon'}`);
    for (const name of ['from', 'to']) {
      const message = errors[`${at}.${name}`] ?? '';
      setFieldError(`q-${index}`, name, message);
      if (message) first ??= byId(`q-${index}-${name}`);
    }
  }
  return first;
}

function periodItem(period: QuietPeriodSettings, index: number): HTMLLIElement {
  const id = `q-${index}`;
  const n = index + 1;
  const dayBoxes = days.map((day) => {
    const box = h('input', { type: 'checkbox', id: `${id}-${day}`, value: day });
    box.checked = period.days.includes(day);
    return h('span', { class: 'day' }, box, h('label', { for: box.id }, dayLabels[day]));
  });
  const note = h('p', { class: 'hint note', id: `${id}-note` });
  const from = timeField(id, 'from', 'From', period.from);
  const to = timeField(id, 'to', 'To', period.to, note.id);
  const updateNote = () => {
    const [start, end] = [from.input.value, to.input.value];
    // Said without the times: the time fields show them in the system's 12- or 24-hour style.
    note.textContent =
      start && end && end < start
        ? 'Crosses midnight: ends the next morning of each chosen day.'
        : '';
  };
  from.input.addEventListener('input', updateNote);
  to.input.addEventListener('input', updateNote);
  updateNote();
  const remove = h(
    'button',
    {
      type: 'button',
      id: `${id}-remove`,
      class: 'danger remove',
      'aria-label': `Remove quiet period ${n}`,
    },
    'Remove',
  );
  remove.addEventListener('click', () => removePeriod(index));
  return h(
    'li',
    { class: 'quiet-period', 'data-period': String(index) },
    h(
      'fieldset',
      {},
      h('legend', {}, `Quiet period ${n}`),
      h(
        'fieldset',
        { class: 'days', id: `${id}-days` },
        h('legend', {}, 'Days'),
        ...dayBoxes,
        h('p', { class: 'error', id: `${id}-days-error`, 'aria-live': 'polite' }),
      ),
      h('div', { class: 'times' }, from.field, to.field, remove),
      note,
    ),
  );
}

function timeField(
  id: string,
  name: 'from' | 'to',
  label: string,
  value: string,
  describedBy?: string,
): { field: HTMLElement; input: HTMLInputElement } {
  const input = h('input', {
    type: 'time',
    id: `${id}-${name}`,
    value,
    ...(describedBy ? { 'aria-describedby': describedBy } : {}),
  });
  const field = h(
    'div',
    { class: 'field' },
    h('label', { for: input.id }, label),
    input,
    h('p', { class: 'error', id: `${id}-${name}-error`, 'aria-live': 'polite' }),
  );
  return { field, input };
}

// Focus stays in the list: on the Remove button that took the removed one's place, the
// one before it, or "Add quiet hours" when none is left.
function removePeriod(index: number): void {
  showQuietHours(readQuietHours().filter((_, i) => i !== index));
  const buttons = byId('quiet-list').querySelectorAll<HTMLButtonElement>('button.remove');
  (buttons[Math.min(index, buttons.length - 1)] ?? byId('add-quiet-hours')).focus();
}
