import { afterEach, describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import type { ErrorBody } from '@finexia/contracts/errors.ts';
import ImportErrors from './ImportErrors.svelte';

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
});

describe('ImportErrors', () => {
  it('names every bad row by its line in the file (regression: it showed "Line undefined")', () => {
    // the body exactly as the API sends it for a refused import
    const body: ErrorBody = {
      error: {
        code: 'CSV_INVALID',
        message: '2 problem(s) found; nothing was imported.',
        rows: [
          { line: 3, field: 'date', message: 'is not a date in the format YYYY-MM-DD' },
          { line: 5, field: 'amount', message: 'is empty' },
        ],
      },
    };
    component = mount(ImportErrors, {
      target: document.body,
      props: { message: body.error.message, rows: body.error.rows },
    });
    flushSync();
    const items = [...document.querySelectorAll('li')].map((li) => li.textContent?.trim());
    expect(items).toEqual([
      'Line 3 (date): is not a date in the format YYYY-MM-DD',
      'Line 5 (amount): is empty',
    ]);
    expect(document.body.textContent).not.toContain('undefined');
  });

  it('lists at most the first 20 rows and says how many more', () => {
    const rows = Array.from({ length: 23 }, (_, i) => ({
      line: i + 2,
      field: 'amount',
      message: 'is empty',
    }));
    component = mount(ImportErrors, { target: document.body, props: { message: 'bad', rows } });
    flushSync();
    expect(document.querySelectorAll('li')).toHaveLength(20);
    expect(document.body.textContent).toContain('…and 3 more.');
  });
});
